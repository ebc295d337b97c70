/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ASL placeholders are written ${Name}, in plain strings. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { placeholdersIn, substitutionsFor } from '../../infra/asl-placeholders.ts';
import { LifecycleStateMachine } from '../../infra/constructs/lifecycle-state-machine.ts';

describe('placeholdersIn', () => {
  it('returns each placeholder once, in order of first use', () => {
    const definition = '{"A":"${First}","B":"${Second}","C":"arn:${First}"}';

    expect(placeholdersIn(definition)).toEqual(['First', 'Second']);
  });

  it('returns nothing for a definition without placeholders', () => {
    expect(placeholdersIn('{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}')).toEqual([]);
  });

  it('ignores JSONPath and intrinsic functions, which use no ${', () => {
    expect(placeholdersIn('{"x.$":"States.Format(\'{}\', $.id)","y.$":"$$.Task.Token"}')).toEqual([]);
  });
});

describe('substitutionsFor', () => {
  it('maps each placeholder to its entry in aslSubstitutions', () => {
    const found = substitutionsFor('x.asl.json', '{"F":"${DispatchOrderFunctionArn}","B":"${EventBusName}"}');

    expect(Object.fromEntries(found)).toEqual({
      DispatchOrderFunctionArn: { kind: 'lambdaArn', function: 'dispatchOrder' },
      EventBusName: { kind: 'eventBusName' },
    });
  });

  it('rejects a placeholder that aslSubstitutions does not know, naming the file', () => {
    expect(() => substitutionsFor('statemachines/x.asl.json', '{"F":"${NoSuchFunctionArn}"}')).toThrow(
      /statemachines\/x\.asl\.json.*\$\{NoSuchFunctionArn\}/,
    );
  });
});

describe('LifecycleStateMachine', () => {
  it('throws at synth time when its ASL file has an unknown placeholder', () => {
    // Prepare
    const dir = mkdtempSync(path.join(tmpdir(), 'hotline-asl-'));
    const file = path.join(dir, 'broken.asl.json');
    writeFileSync(
      file,
      JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Result: '${Typo}', End: true } } }),
    );
    const stack = new Stack(new App(), 'Broken');

    // Act / Assess: it fails before touching any resource, so none is needed.
    expect(
      () =>
        new LifecycleStateMachine(stack, 'Broken', {
          stateMachineName: 'broken',
          file,
          description: 'broken',
          functions: {} as never,
          bus: {} as IEventBus,
          table: {} as Table,
        }),
    ).toThrow(/\$\{Typo\}/);
  });
});
