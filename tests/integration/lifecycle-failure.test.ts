import { RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * A lifecycle that breaks, on the real local stack: the dispatch task fails (a fault injected through
 * the local stack's POST /_local/faults, which never exists in the CDK app), the failure is recorded on
 * the order and published, the execution fails; the fault goes away, an operator redrives the execution
 * through the Step Functions API (the SDK, as `aws stepfunctions redrive-execution` does), and the order
 * carries on where it was.
 */
let stack: StackProcess;
let s: ReturnType<typeof scenario>;
let operator: string;

/** Only the dispatch task fails, before it runs (`InjectedFault`, which its Retry does not take). */
// Every dispatch fails, so the first order's dispatch fails past its retries.
const dispatchFails = { rate: 1, seed: 7, kinds: ['error'], targets: ['lambda:dispatchOrder'] };

beforeAll(async () => {
  // `--faults 0`: the injector is there, idle, until the test sets it.
  stack = await startStackProcess({ startAt: '2026-12-01T09:00:00+08:00', faults: { rate: 0 } });
  operator = await stack.token('operator');
  s = scenario(stack, { operator, auditor: await stack.token('auditor') });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** DescribeExecution and the history, as the local stack shows them. */
const execution = async (id: string) => (await stack.api('GET', `/_local/executions/${id}`)).body;

const faults = async (settings: Record<string, unknown>) => {
  const response = await stack.api('POST', '/_local/faults', { body: settings });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
};

/** Records complaints until the injected fault hits one's dispatch (the first, with this seed). */
const orderWhoseDispatchFails = async (): Promise<string> => {
  for (let tries = 0; tries < 10; tries++) {
    const { id } = await s.create(complaint());
    const ended = await eventually(async () => {
      const h = await execution(id);
      const last = h.events?.at(-1)?.type;
      if (h.status !== 'RUNNING' || last === 'TaskSubmitted') return h;
      // The dispatch's retries back off on the manual clock: let their seconds pass.
      await stack.api('POST', '/_local/clock', { body: { advance: 'PT5S' } });
      return undefined;
    }, `order ${id} to fail or to wait`);
    if (ended.status === 'FAILED') return id;
  }
  throw new Error('The injected fault never hit a dispatch');
};

describe('a lifecycle whose task fails past its retries, on the local stack', () => {
  it('records the failure on the order and the bus, fails the execution, and carries on once redriven', async () => {
    // Prepare: the dispatch task fails
    await faults(dispatchFails);

    // Act
    const id = await orderWhoseDispatchFails();

    // Assess: the execution failed in the failure task, after entering it from the dispatch
    const failed = await execution(id);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'LifecycleFailed' });
    expect(await s.statesEntered(id)).toEqual(['DispatchByCatalogue', 'DispatchByCatalogueFailed']);
    // …the order says so, and is otherwise where it was
    const order = await s.read(id);
    expect(order).toMatchObject({
      status: 'received',
      lifecycleFailure: {
        state: 'DispatchByCatalogue',
        error: 'InjectedFault',
        execution: id,
        redriveCount: 0,
      },
    });
    expect((await s.timeline(id)).map((e) => e.type)).toEqual(['received', 'lifecycle_failed']);
    const listed = await stack.api('GET', '/orders?status=received', { token: operator });
    expect(listed.body.items.find((item: { id: string }) => item.id === id)).toMatchObject({
      lifecycleFailure: { state: 'DispatchByCatalogue' },
    });
    // …and the bus was told, once
    const published = await stack.api('GET', '/_local/events?detailType=WorkOrder%20Lifecycle%20Failed');
    expect(
      published.body.items.filter((e: { detail: { orderId: string } }) => e.detail.orderId === id),
    ).toEqual([
      expect.objectContaining({
        source: 'hotline.work-orders',
        detail: expect.objectContaining({
          state: 'DispatchByCatalogue',
          error: 'InjectedFault',
          status: 'received',
        }),
      }),
    ]);

    // Act: the cause is fixed, and an operator redrives the execution
    await faults({ rate: 0 });
    const sfn = new SFNClient({
      endpoint: stack.awsEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    await sfn.send(new RedriveExecutionCommand({ executionArn: failed.executionArn }));

    // Assess: the failed state ran again and the order went on to its unit, the failure cleared
    const dispatched = await s.untilWaiting(id, 'dispatched');
    expect(dispatched.unitId).toBe('st-110105001');
    expect(dispatched).not.toHaveProperty('lifecycleFailure');
    expect((await s.timeline(id)).map((e) => e.type)).toEqual([
      'received',
      'lifecycle_failed',
      'lifecycle_resumed',
      'dispatched',
    ]);
    const redriven = await execution(id);
    expect(redriven).toMatchObject({ status: 'RUNNING', redriveCount: 1 });
    expect(redriven.events.map((e: { type: string }) => e.type)).toContain('ExecutionRedriven');
  });
});
