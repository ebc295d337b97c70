import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { aslSubstitutions, stateMachines } from '#wiring/wiring.ts';
import { placeholdersIn } from '../../infra/asl-placeholders.ts';
import { repoRoot } from '../../infra/repo-root.ts';
import { type SynthesizedHotline, synthesizeHotline } from '../infra/hotline-template.ts';

interface AslValidation {
  readonly isValid: boolean;
  readonly errorsText: (separator?: string) => string;
}
// asl-validator ships CommonJS without types.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
) => AslValidation;

interface AslState {
  readonly Type: string;
  readonly QueryLanguage?: string;
  readonly TimeoutSeconds?: number;
  readonly TimeoutSecondsPath?: string;
  readonly Branches?: readonly AslMachine[];
  readonly ItemProcessor?: AslMachine;
  readonly Iterator?: AslMachine;
}
interface AslMachine {
  readonly QueryLanguage?: string;
  readonly States: Readonly<Record<string, AslState>>;
}

/** Every state, nested ones (Parallel branches, Map processors) included, by a path-like name. */
const allStates = (machine: AslMachine, prefix = ''): [string, AslState][] =>
  Object.entries(machine.States).flatMap(([name, state]) => {
    const here = `${prefix}${name}`;
    const nested = [
      ...(state.Branches ?? []),
      ...[state.ItemProcessor, state.Iterator].filter((m) => m !== undefined),
    ];
    return [[here, state] as [string, AslState], ...nested.flatMap((inner) => allStates(inner, `${here}/`))];
  });

const statemachinesDir = path.join(repoRoot, 'statemachines');
const aslFiles = readdirSync(statemachinesDir)
  .filter((file) => file.endsWith('.asl.json'))
  .map((file) => `statemachines/${file}`);
const textOf = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');
const machineOf = (file: string): AslMachine => JSON.parse(textOf(file)) as AslMachine;

describe('ASL files', () => {
  it('exist', () => {
    expect(aslFiles.length).toBeGreaterThan(0);
  });

  it('are checked by a validator that can say no', () => {
    const noStartState = { States: { Done: { Type: 'Succeed' } } };

    expect(aslValidator(noStartState).isValid).toBe(false);
  });

  it.each(aslFiles)('%s is valid ASL', (file) => {
    // asl-validator writes default QueryLanguage into what it is given.
    const result = aslValidator(structuredClone(machineOf(file)));

    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it.each(aslFiles)('%s sets an explicit timeout on every Task', (file) => {
    const untimed = allStates(machineOf(file))
      .filter(([, state]) => state.Type === 'Task')
      .filter(([, state]) => state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined)
      .map(([name]) => name);

    expect(untimed).toEqual([]);
  });

  it.each(aslFiles)('%s uses JSONPath, which the local interpreter runs (it ignores JSONata)', (file) => {
    const machine = machineOf(file);
    const jsonata = allStates(machine)
      .filter(([, state]) => state.QueryLanguage === 'JSONata')
      .map(([name]) => name);

    expect(machine.QueryLanguage).not.toBe('JSONata');
    expect(jsonata).toEqual([]);
  });

  it.each(aslFiles)('%s uses only placeholders that aslSubstitutions supplies', (file) => {
    const unknown = placeholdersIn(textOf(file)).filter((placeholder) => !(placeholder in aslSubstitutions));

    expect(unknown).toEqual([]);
  });

  it.each(aslFiles)('%s is deployed: stateMachines in wiring.ts lists it', (file) => {
    expect(Object.values(stateMachines).map((machine) => machine.file)).toContain(file);
  });

  it('leaves no entry of aslSubstitutions unused', () => {
    const used = new Set(aslFiles.flatMap((file) => placeholdersIn(textOf(file))));

    expect(Object.keys(aslSubstitutions).filter((placeholder) => !used.has(placeholder))).toEqual([]);
  });
});

describe('ASL placeholders in the synthesized template', () => {
  let hotline: SynthesizedHotline;

  beforeAll(() => {
    hotline = synthesizeHotline();
  });

  const onlyLogicalIdOf = (type: string): string => {
    const [id, ...others] = Object.keys(hotline.resourcesOf(type));
    if (id === undefined || others.length > 0) throw new Error(`Expected one ${type}`);
    return id;
  };

  const substitutionsInTemplate = (file: string): Record<string, unknown> => {
    const machine = Object.values(hotline.resourcesOf('AWS::StepFunctions::StateMachine')).find(
      ({ Properties }) => Properties.DefinitionString === textOf(file),
    );
    if (machine === undefined) throw new Error(`No state machine in the template runs ${file}`);
    return machine.Properties.DefinitionSubstitutions as Record<string, unknown>;
  };

  it.each(Object.values(stateMachines).map((machine) => machine.file))(
    '%s has every placeholder substituted',
    (file) => {
      const substituted = substitutionsInTemplate(file);

      for (const placeholder of placeholdersIn(textOf(file))) expect(substituted).toHaveProperty(placeholder);
    },
  );

  it.each(Object.values(stateMachines).map((machine) => machine.file))(
    '%s gets each placeholder from the resource aslSubstitutions names',
    (file) => {
      const substituted = substitutionsInTemplate(file);
      const busId = onlyLogicalIdOf('AWS::Events::EventBus');
      // `tableName` is the order table; the outbox is a table of its own that no ASL file names.
      const tableId = hotline.logicalIdOf(hotline.stack.node.findChild('Orders').node.findChild('Table'));

      for (const placeholder of placeholdersIn(textOf(file))) {
        const substitution = aslSubstitutions[placeholder];
        if (substitution === undefined) throw new Error(`Unknown placeholder ${placeholder}`);
        const expected =
          substitution.kind === 'lambdaArn'
            ? {
                'Fn::GetAtt': [
                  hotline.stack.getLogicalId(
                    hotline.stack.functions[substitution.function].lambda.node.defaultChild as CfnFunction,
                  ),
                  'Arn',
                ],
              }
            : substitution.kind === 'eventBusName'
              ? { Ref: busId }
              : substitution.kind === 'literal'
                ? substitution.value
                : { Ref: tableId };
        expect(substituted[placeholder], placeholder).toEqual(expected);
      }
    },
  );
});
