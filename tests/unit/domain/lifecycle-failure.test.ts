import { describe, expect, it } from 'vitest';
import {
  LIFECYCLE_CAUSE_MAX,
  LifecycleFailedError,
  lifecycleFailedEventDetail,
  onLifecycleFailure,
} from '#domain/lifecycle-failure.ts';
import { at, orderIn } from './support.ts';

const NOW = at('2026-12-01T03:00:00.000Z');
const LATER = at('2026-12-02T09:00:00.000Z');
const report = {
  state: 'Checkpoint',
  error: 'Lambda.Unknown',
  cause: 'The function timed out',
  execution: 'WO1',
  redriveCount: 0,
  nowMs: NOW,
};

describe('onLifecycleFailure', () => {
  it('returns a change that records the failure on the order and in its log, leaving status and deadlines', () => {
    // Prepare
    const order = orderIn('accepted');

    // Act
    const step = onLifecycleFailure(order, report);

    // Assess
    expect(step.kind).toBe('record');
    if (step.kind !== 'record') return;
    const failure = {
      state: 'Checkpoint',
      error: 'Lambda.Unknown',
      cause: 'The function timed out',
      at: '2026-12-01T03:00:00.000Z',
      execution: 'WO1',
      redriveCount: 0,
    };
    expect(step.change.order).toEqual({
      ...order,
      version: order.version + 1,
      updatedAt: '2026-12-01T03:00:00.000Z',
      lifecycleFailure: failure,
    });
    expect(step.change.events).toEqual([
      {
        type: 'lifecycle_failed',
        at: failure.at,
        actor: { kind: 'system', name: 'workflow' },
        data: failure,
      },
    ]);
  });

  it('returns the recorded failure without a change when this run recorded it already (a retried task)', () => {
    // Prepare
    const recorded = onLifecycleFailure(orderIn('accepted'), report);
    if (recorded.kind !== 'record') throw new Error('expected a record');

    // Act
    const again = onLifecycleFailure(recorded.change.order, { ...report, nowMs: NOW + 1000 });

    // Assess
    expect(again).toEqual({ kind: 'recorded', failure: recorded.failure });
  });

  it('returns a change that clears the failure when the execution was redriven since', () => {
    // Prepare
    const recorded = onLifecycleFailure(orderIn('accepted'), report);
    if (recorded.kind !== 'record') throw new Error('expected a record');
    const failed = recorded.change.order;

    // Act
    const step = onLifecycleFailure(failed, { ...report, redriveCount: 1, nowMs: LATER });

    // Assess
    expect(step.kind).toBe('resume');
    if (step.kind !== 'resume') return;
    expect(step.change.order).not.toHaveProperty('lifecycleFailure');
    expect(step.change.order).toMatchObject({ version: failed.version + 1, status: 'accepted' });
    expect(step.change.events).toEqual([
      {
        type: 'lifecycle_resumed',
        at: '2026-12-02T09:00:00.000Z',
        actor: { kind: 'system', name: 'workflow' },
        data: {
          state: 'Checkpoint',
          execution: 'WO1',
          redriveCount: 1,
          failedAt: '2026-12-01T03:00:00.000Z',
        },
      },
    ]);
  });

  it('returns a new record for a failure after the resumption, in the redriven run', () => {
    // Prepare: failed in run 0, resumed in run 1
    const recorded = onLifecycleFailure(orderIn('accepted'), report);
    if (recorded.kind !== 'record') throw new Error('expected a record');
    const resumed = onLifecycleFailure(recorded.change.order, { ...report, redriveCount: 1, nowMs: LATER });
    if (resumed.kind !== 'resume') throw new Error('expected a resumption');

    // Act
    const step = onLifecycleFailure(resumed.change.order, {
      ...report,
      state: 'CloseOrder',
      redriveCount: 1,
      nowMs: LATER + 1000,
    });

    // Assess
    expect(step.kind).toBe('record');
    expect(step.failure).toMatchObject({ state: 'CloseOrder', redriveCount: 1 });
  });

  it("returns a new record for another execution's failure (a later round), not a resumption", () => {
    // Prepare
    const recorded = onLifecycleFailure(orderIn('accepted'), report);
    if (recorded.kind !== 'record') throw new Error('expected a record');

    // Act
    const step = onLifecycleFailure(recorded.change.order, {
      ...report,
      execution: 'WO1-r2',
      redriveCount: 3,
    });

    // Assess
    expect(step.kind).toBe('record');
    expect(step.failure.execution).toBe('WO1-r2');
  });

  it('returns the cause cut to its bound and a placeholder for an empty error', () => {
    // Act
    const step = onLifecycleFailure(orderIn('accepted'), { ...report, error: '', cause: 'x'.repeat(10_000) });

    // Assess
    expect(step.failure.error).toBe('States.Unknown');
    expect(step.failure.cause).toHaveLength(LIFECYCLE_CAUSE_MAX);
    expect(step.failure.cause?.endsWith('…')).toBe(true);
  });
});

describe('lifecycleFailedEventDetail', () => {
  it('returns what the bus hears: the order, where it stands, and what failed', () => {
    // Prepare
    const order = orderIn('accepted');
    const step = onLifecycleFailure(order, report);

    // Act
    const detail = lifecycleFailedEventDetail(order, step.failure);

    // Assess
    expect(detail).toEqual({
      orderId: order.id,
      round: 1,
      status: 'accepted',
      unitId: order.unitId,
      districtCode: order.location.districtCode,
      state: 'Checkpoint',
      error: 'Lambda.Unknown',
      cause: 'The function timed out',
      failedAt: '2026-12-01T03:00:00.000Z',
      execution: 'WO1',
      redriveCount: 0,
    });
  });
});

describe('LifecycleFailedError', () => {
  it('is named LifecycleFailed, the error the ASL lets fail the execution', () => {
    // Act
    const error = new LifecycleFailedError('WO1', onLifecycleFailure(orderIn('accepted'), report).failure);

    // Assess
    expect(error.name).toBe('LifecycleFailed');
    expect(error.message).toMatch(/Checkpoint failed \(Lambda\.Unknown\).*redrive/);
  });
});
