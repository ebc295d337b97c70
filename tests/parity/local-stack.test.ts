import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  busRules,
  callbackHealing,
  contactRetention,
  envNames,
  lambdaFunctions,
  lifecycleHealing,
  miningSchedule,
  routeKeyOf,
  stateMachines,
  streamTriggers,
} from '#wiring/wiring.ts';
import { placeholdersIn } from '../../infra/asl-placeholders.ts';
import { repoRoot } from '../../infra/repo-root.ts';
import { matchRoute } from '../../local/api-gateway.ts';
import { parseEventPattern } from '../../local/eventbridge/event-pattern.ts';
import { LocalLambdaRuntime } from '../../local/lambda-runtime.ts';
import { parseScheduleExpression } from '../../local/schedule-expressions.ts';
import type { ScheduleRequest } from '../../local/scheduler.ts';
import { localSubstitutions, substitute } from '../../local/stack.ts';
import { serviceCallOf } from '../../local/stepfunctions/service-bindings.ts';
import { type SynthesizedHotline, synthesizeHotline } from '../infra/hotline-template.ts';

/**
 * Local and cloud must not drift: what CDK synthesizes and what the local stack runs come from the
 * same files, and every piece of the template has its local counterpart.
 */
let hotline: SynthesizedHotline;

beforeAll(() => {
  hotline = synthesizeHotline();
});

const aslFiles = Object.values(stateMachines).map((m) => m.file);

interface TaskState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Branches?: { States: Record<string, TaskState> }[];
}
const taskStates = (states: Record<string, TaskState>): [string, TaskState][] =>
  Object.entries(states).flatMap(([name, s]) => [
    ...(s.Type === 'Task' ? [[name, s] as [string, TaskState]] : []),
    ...(s.Branches ?? []).flatMap((b) => taskStates(b.States)),
  ]);

describe('parity between the CDK app and the local stack', () => {
  it('serves every HTTP route of the synthesized template locally, with the same authorization', () => {
    const routes = Object.values(hotline.resourcesOf('AWS::ApiGatewayV2::Route')).map((r) => ({
      key: String(r.Properties.RouteKey),
      authorizationType: r.Properties.AuthorizationType,
      scopes: (r.Properties.AuthorizationScopes as string[] | undefined) ?? [],
    }));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      const [method, path] = route.key.split(' ') as [string, string];
      const concrete = path.replace(/\{[^}]+\}/g, 'WO01TEST');
      const local = matchRoute(method, concrete);
      expect(local, `${route.key} is not served locally`).toBeDefined();
      expect(routeKeyOf(local?.route.spec ?? { method: 'GET', path: '' })).toBe(route.key);
      const localScopes = (local?.route.spec.roles ?? []).map((role) => `hotline/${role}`);
      expect([...localScopes].sort(), route.key).toEqual([...route.scopes].sort());
      expect(route.authorizationType, route.key).toBe(local?.route.spec.roles === null ? 'NONE' : 'JWT');
    }
  });

  it('has no local-only route in the template', () => {
    const keys = Object.values(hotline.resourcesOf('AWS::ApiGatewayV2::Route')).map((r) =>
      String(r.Properties.RouteKey),
    );
    expect(keys.filter((k) => k.includes('/_local'))).toEqual([]);
  });

  it('runs locally the same handler module that each synthesized function bundles', async () => {
    // The variables every function reads at load time, as the local stack sets them.
    Object.assign(process.env, {
      TABLE_NAME: 'parity',
      STATE_MACHINE_ARN: 'arn:aws:states:local:000000000000:stateMachine:x',
      AWS_REGION: 'local',
      [envNames.analyticsStream]: 'hotline-analytics-orders',
      [envNames.analyticsKeySecret]: 'hotline-analytics-key',
      [envNames.athenaWorkGroup]: 'hotline-local-analytics',
      [envNames.athenaDatabase]: 'hotline_analytics',
      [envNames.eventBus]: 'hotline-local',
    });
    const runtime = new LocalLambdaRuntime(repoRoot);
    for (const [name, spec] of Object.entries(lambdaFunctions)) {
      expect(runtime.resolveName(`hotline-${name}`)).toBe(name);
      const module = (await import(join(repoRoot, spec.entry))) as { handler?: unknown };
      expect(typeof module.handler, spec.entry).toBe('function');
    }
    const described = Object.values(hotline.resourcesOf('AWS::Lambda::Function'))
      .map((f) => String(f.Properties.Description ?? ''))
      .filter(Boolean);
    for (const spec of Object.values(lambdaFunctions)) expect(described).toContain(spec.description);
    // Each function gets the environment variables its handler reads, under the names the local stack sets.
    const variables = Object.values(hotline.resourcesOf('AWS::Lambda::Function')).flatMap((f) =>
      Object.keys((f.Properties.Environment as { Variables?: object } | undefined)?.Variables ?? {}),
    );
    // The SES sender is set only when messages go out through AWS (context messageSender=aws); the local
    // contact key file stands in for the KMS key, which AWS functions get instead; plain http to a
    // receiver on this machine is the local stack's only.
    const localOnly: string[] = [
      envNames.eventBus,
      envNames.senderEmail,
      envNames.contactKeyFile,
      envNames.pushAllowLoopbackHttp,
    ];
    for (const name of Object.values(envNames).filter((n) => !localOnly.includes(n)))
      expect(variables).toContain(name);
  }, 60_000);

  it('binds every placeholder of every ASL file locally, and leaves none unsubstituted', () => {
    const bindings = localSubstitutions();
    for (const file of aslFiles) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      for (const placeholder of placeholdersIn(text))
        expect(bindings, `${file}: ${placeholder}`).toHaveProperty(placeholder);
      expect(substitute(text, bindings)).not.toMatch(/\$\{/);
    }
  });

  it('supports locally every service integration the ASL files use', () => {
    const bindings = localSubstitutions();
    for (const file of aslFiles) {
      const definition = JSON.parse(substitute(readFileSync(join(repoRoot, file), 'utf8'), bindings)) as {
        States: Record<string, TaskState>;
      };
      for (const [name, state] of taskStates(definition.States)) {
        expect(
          () => serviceCallOf(state.Resource ?? '', state.Parameters ?? {}),
          `${file}: ${name}`,
        ).not.toThrow();
      }
    }
  });

  it('deploys the very ASL text the local stack runs', () => {
    const [machine] = Object.values(hotline.resourcesOf('AWS::StepFunctions::StateMachine'));
    const deployed = machine?.Properties.DefinitionString;
    const text = readFileSync(join(repoRoot, stateMachines.workOrder.file), 'utf8');
    const flattened = JSON.stringify(deployed);
    // The template keeps the file's text and substitutes through DefinitionSubstitutions.
    for (const state of Object.keys((JSON.parse(text) as { States: object }).States))
      expect(flattened).toContain(state);
    expect(Object.keys(machine?.Properties.DefinitionSubstitutions as object).sort()).toEqual(
      placeholdersIn(text).sort(),
    );
  });
});

describe('bus rules', () => {
  it('gives every rule of wiring/wiring.ts the same pattern and target in the template, with a dead-letter queue', () => {
    const rules = Object.values(hotline.resourcesOf('AWS::Events::Rule')).filter(
      (r) => r.Properties.EventBusName !== undefined,
    );
    const byDescription = new Map(rules.map((r) => [String(r.Properties.Description), r]));
    for (const [name, spec] of Object.entries(busRules)) {
      const rule = byDescription.get(spec.description);
      expect(rule, name).toBeDefined();
      expect(rule?.Properties.EventPattern, name).toEqual(spec.pattern);
      const [target] = (rule?.Properties.Targets ?? []) as {
        Arn: unknown;
        DeadLetterConfig?: unknown;
        RetryPolicy?: unknown;
      }[];
      expect(JSON.stringify(target?.Arn), name).toContain(
        hotline.stack.getLogicalId(
          hotline.stack.functions[spec.target].lambda.node.defaultChild as CfnElement,
        ),
      );
      expect(target?.DeadLetterConfig, name).toBeDefined();
      expect(target?.RetryPolicy, name).toBeDefined();
      // The local bus parses the very same pattern.
      expect(() => parseEventPattern(JSON.stringify(spec.pattern))).not.toThrow();
    }
  });
});

describe('table stream triggers', () => {
  it('gives every event source mapping of the template its entry in streamTriggers, which the local stack polls', () => {
    const mappings = Object.values(hotline.resourcesOf('AWS::Lambda::EventSourceMapping'));
    const orderTable = hotline.logicalIdOf(hotline.stack.node.findChild('Orders').node.findChild('Table'));
    const nameOf = (logicalId: unknown) =>
      Object.entries(hotline.stack.functions).find(
        ([, fn]) => hotline.logicalIdOf(fn.lambda) === logicalId,
      )?.[0];

    expect(mappings).toHaveLength(Object.keys(streamTriggers).length);
    for (const mapping of mappings) {
      const target = nameOf((mapping.Properties.FunctionName as { Ref: string }).Ref);
      const [filter] = (mapping.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
      const spec = Object.values(streamTriggers).find(
        (candidate) => candidate.target === target && JSON.stringify(candidate.filter) === filter?.Pattern,
      );
      expect(spec, `the event source mapping of ${target}`).toBeDefined();
      expect(mapping.Properties.EventSourceArn).toEqual({ 'Fn::GetAtt': [orderTable, 'StreamArn'] });
      // The local stack matches stream records with the same pattern language, as Lambda restricts it.
      expect(() => parseEventPattern(filter?.Pattern ?? '', { dialect: 'lambda' })).not.toThrow();
    }
  });
});

describe('recurring schedules', () => {
  it("has each schedule of the template in wiring's miningSchedule, which the local stack registers too", async () => {
    const schedules = Object.values(hotline.resourcesOf('AWS::Scheduler::Schedule'));
    const target = hotline.stack.getLogicalId(
      hotline.stack.functions[miningSchedule.target].lambda.node.defaultChild as CfnElement,
    );
    // The local stack creates its recurring schedules at start from the same wiring, as CreateSchedule
    // requests that local/stack.ts exports (like localSubstitutions for the ASL placeholders).
    const local = (await import('../../local/stack.ts')) as Record<string, unknown>;
    const localRecurringSchedules = local.localRecurringSchedules as (() => ScheduleRequest[]) | undefined;

    expect(schedules.map((s) => [s.Properties.GroupName, s.Properties.Name])).toEqual([
      [miningSchedule.groupName, miningSchedule.scheduleName],
      [lifecycleHealing.reconciler.groupName, lifecycleHealing.reconciler.scheduleName],
      [contactRetention.groupName, contactRetention.scheduleName],
      [callbackHealing.reconciler.groupName, callbackHealing.reconciler.scheduleName],
    ]);
    expect(schedules[0]?.Properties).toMatchObject({
      ScheduleExpression: miningSchedule.expression,
      ScheduleExpressionTimezone: miningSchedule.timeZone,
      Target: { Arn: { 'Fn::GetAtt': [target, 'Arn'] }, Input: JSON.stringify(miningSchedule.input) },
    });
    // The local scheduler reads the very same expression (AWS's cron fields).
    expect(parseScheduleExpression(miningSchedule.expression).kind).toBe('cron');
    expect(
      typeof localRecurringSchedules,
      'local/stack.ts exports localRecurringSchedules(): the recurring schedules it creates at start',
    ).toBe('function');
    const registered = localRecurringSchedules?.() ?? [];
    const mining = registered.find(
      (r) => r.GroupName === miningSchedule.groupName && r.Name === miningSchedule.scheduleName,
    );
    expect(
      mining,
      `${miningSchedule.groupName}/${miningSchedule.scheduleName} is registered locally`,
    ).toMatchObject({
      ScheduleExpression: miningSchedule.expression,
      ScheduleExpressionTimezone: miningSchedule.timeZone,
      Target: { Input: JSON.stringify(miningSchedule.input) },
    });
    expect(new LocalLambdaRuntime(repoRoot).resolveName(mining?.Target?.Arn ?? '')).toBe(
      miningSchedule.target,
    );
  });

  it.each([
    ['lifecycle', lifecycleHealing.reconciler],
    ['call-back', callbackHealing.reconciler],
  ] as const)(
    "has the %s reconciler's schedule of wiring in the template and in the local stack",
    async (_name, spec) => {
      const schedule = Object.values(hotline.resourcesOf('AWS::Scheduler::Schedule')).find(
        (s) => s.Properties.Name === spec.scheduleName,
      );
      const target = hotline.stack.getLogicalId(
        hotline.stack.functions[spec.target].lambda.node.defaultChild as CfnElement,
      );
      const local = (await import('../../local/stack.ts')) as {
        localRecurringSchedules: () => ScheduleRequest[];
      };

      expect(schedule?.Properties).toMatchObject({
        GroupName: spec.groupName,
        ScheduleExpression: spec.expression,
        Target: { Arn: { 'Fn::GetAtt': [target, 'Arn'] }, Input: JSON.stringify(spec.input) },
      });
      expect(parseScheduleExpression(spec.expression).kind).toBe('rate');
      const registered = local
        .localRecurringSchedules()
        .find((r) => r.GroupName === spec.groupName && r.Name === spec.scheduleName);
      expect(registered).toMatchObject({
        ScheduleExpression: spec.expression,
        Target: { Input: JSON.stringify(spec.input) },
      });
      expect(new LocalLambdaRuntime(repoRoot).resolveName(registered?.Target?.Arn ?? '')).toBe(spec.target);
    },
  );
});
