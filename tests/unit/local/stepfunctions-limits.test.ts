import { describe, expect, it } from 'vitest';
import {
  exceedsPayloadLimit,
  MAX_EXECUTION_MS,
  notRedrivableReason,
  REDRIVABLE_PERIOD_MS,
  redrivePoint,
  resolveReferencePath,
  secondsFromPath,
} from '../../../local/stepfunctions/limits.ts';
import { failureOfAnswer, serviceCallOf } from '../../../local/stepfunctions/service-bindings.ts';

/** The quotas and rules of Standard workflows, as pure functions (local/stepfunctions/limits.ts). */
const T0 = Date.parse('2026-12-01T01:00:00Z');

describe('exceedsPayloadLimit', () => {
  it('returns true above 256 KiB of UTF-8 JSON only, counting multi-byte characters as bytes', () => {
    // Prepare: a JSON string of n characters takes n + 2 bytes (its quotes)
    const at = 'x'.repeat(256 * 1024 - 2);

    // Assess
    expect(exceedsPayloadLimit(at)).toBe(false);
    expect(exceedsPayloadLimit(`${at}x`)).toBe(true);
    expect(exceedsPayloadLimit('工'.repeat(90_000))).toBe(true);
  });
});

describe('resolveReferencePath', () => {
  it('returns the node a reference path names in the input or the context object', () => {
    // Prepare
    const input = { next: { timeoutSeconds: 60, list: [1, 2] }, 'odd key': true };
    const context = { Execution: { Input: { a: 1 } } };

    // Assess
    expect(resolveReferencePath('$.next.timeoutSeconds', input, context)).toEqual({ found: true, value: 60 });
    expect(resolveReferencePath("$['odd key']", input, context)).toEqual({ found: true, value: true });
    expect(resolveReferencePath('$.next.list[1]', input, context)).toEqual({ found: true, value: 2 });
    expect(resolveReferencePath('$$.Execution.Input.a', input, context)).toEqual({ found: true, value: 1 });
    expect(resolveReferencePath('$', input, context)).toEqual({ found: true, value: input });
  });

  it('returns not found for a missing step, an index out of range, or no path at all', () => {
    // Prepare
    const input = { next: { list: [1] }, nothing: null };

    // Assess
    for (const path of ['$.missing', '$.next.list[3]', '$.nothing.deeper', 'next', '$.next.toString'])
      expect(resolveReferencePath(path, input, {}), path).toEqual({ found: false });
  });
});

describe('secondsFromPath', () => {
  it('returns the seconds of a positive integer up to 99999999', () => {
    // Assess
    expect(secondsFromPath('TimeoutSecondsPath', '$.t', { t: 1 }, {})).toEqual({ ok: true, seconds: 1 });
    expect(secondsFromPath('TimeoutSecondsPath', '$.t', { t: 99_999_999 }, {})).toEqual({
      ok: true,
      seconds: 99_999_999,
    });
  });

  it("rejects a missing value with AWS's invalid-path cause, and anything but a positive integer in range", () => {
    // Act
    const missing = secondsFromPath('TimeoutSecondsPath', '$.next.t', {}, {});

    // Assess
    expect(missing).toEqual({
      ok: false,
      cause: "Invalid path '$.next.t' : No results for path: $['next']['t']",
    });
    for (const t of [0, -1, 1.5, '60', null, true, 100_000_000])
      expect(secondsFromPath('HeartbeatSecondsPath', '$.t', { t }, {}).ok, String(t)).toBe(false);
  });
});

describe('notRedrivableReason', () => {
  const failed = { status: 'FAILED' as const, startDate: T0, stopDate: T0 + 1000, eventCount: 10 };

  it('returns nothing for a failed, timed-out or aborted execution within its 14 days', () => {
    // Assess
    for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED'] as const)
      expect(notRedrivableReason({ ...failed, status }, T0 + 1000 + REDRIVABLE_PERIOD_MS)).toBeUndefined();
  });

  it("returns DescribeExecution's reason for each execution AWS refuses to redrive", () => {
    // Assess
    expect(notRedrivableReason({ ...failed, status: 'RUNNING' }, T0)).toBe(
      'Execution is RUNNING and cannot be redriven.',
    );
    expect(notRedrivableReason({ ...failed, status: 'SUCCEEDED' }, T0)).toBe(
      'Execution is SUCCEEDED and cannot be redriven.',
    );
    expect(notRedrivableReason(failed, T0 + 1001 + REDRIVABLE_PERIOD_MS)).toBe(
      'Execution redrivable period exceeded.',
    );
    expect(notRedrivableReason({ ...failed, eventCount: 24_999 }, T0 + 2000)).toBe(
      'Execution history event limit exceeded.',
    );
    expect(notRedrivableReason({ ...failed, eventCount: 24_998 }, T0 + 2000)).toBeUndefined();
    expect(notRedrivableReason({ ...failed, stopDate: T0 + MAX_EXECUTION_MS }, T0 + MAX_EXECUTION_MS)).toBe(
      'Execution has exceeded the max execution time.',
    );
    expect(notRedrivableReason({ ...failed, startDate: Date.parse('2023-11-14T00:00:00Z') }, T0)).toBe(
      'Execution was started before the launch of RedriveExecution.',
    );
  });
});

describe('redrivePoint', () => {
  const definition = {
    StartAt: 'A',
    States: { A: { Next: 'B' }, B: { Next: 'C' }, C: {}, Inner: {} },
  };
  const entered = (type: string, name: string, input: unknown) => ({
    type,
    stateEnteredEventDetails: { name, input: JSON.stringify(input) },
  });
  const exited = (type: string, name: string, output: unknown) => ({
    type,
    stateExitedEventDetails: { name, output: JSON.stringify(output) },
  });

  it('returns the last top-level state entered and not left, with its input', () => {
    // Prepare
    const events = [
      { type: 'ExecutionStarted' },
      entered('PassStateEntered', 'A', { n: 1 }),
      exited('PassStateExited', 'A', { n: 2 }),
      entered('ParallelStateEntered', 'B', { n: 2 }),
      entered('TaskStateEntered', 'Nested', { n: 3 }),
      { type: 'ExecutionFailed' },
    ];

    // Act / Assess
    expect(redrivePoint(events, definition, { n: 0 })).toEqual({ startAt: 'B', input: { n: 2 } });
  });

  it("returns the next state, with the last one's output, when the run stopped between two states", () => {
    // Prepare
    const events = [
      { type: 'ExecutionStarted' },
      entered('PassStateEntered', 'A', { n: 1 }),
      exited('PassStateExited', 'A', { n: 2 }),
      { type: 'ExecutionAborted' },
    ];

    // Act / Assess
    expect(redrivePoint(events, definition, { n: 0 })).toEqual({ startAt: 'B', input: { n: 2 } });
  });

  it('returns StartAt with the execution input when no state was entered, and reads only the last run', () => {
    // Prepare
    const none = [{ type: 'ExecutionStarted' }, { type: 'ExecutionFailed' }];
    const twoRuns = [
      { type: 'ExecutionStarted' },
      entered('TaskStateEntered', 'C', { n: 9 }),
      { type: 'ExecutionFailed' },
      { type: 'ExecutionRedriven' },
      entered('TaskStateEntered', 'B', { n: 5 }),
      { type: 'ExecutionFailed' },
    ];

    // Act / Assess
    expect(redrivePoint(none, definition, { n: 0 })).toEqual({ startAt: 'A', input: { n: 0 } });
    expect(redrivePoint(twoRuns, definition, { n: 0 })).toEqual({ startAt: 'B', input: { n: 5 } });
  });
});

describe('the events:putEvents integration', () => {
  it('returns entries with the state machine and the execution appended to their Resources', () => {
    // Act
    const call = serviceCallOf(
      'arn:aws:states:::events:putEvents',
      { Entries: [{ Source: 's', Resources: ['arn:x'] }, { Source: 't' }] },
      { executionArn: 'arn:exec', stateMachineArn: 'arn:machine' },
    );

    // Assess
    expect(call).toEqual({
      service: 'events',
      entries: [
        { Source: 's', Resources: ['arn:x', 'arn:machine', 'arn:exec'] },
        { Source: 't', Resources: ['arn:machine', 'arn:exec'] },
      ],
    });
  });

  it('returns EventBridge.FailedEntry, the response as its cause, when PutEvents reports failed entries', () => {
    // Prepare
    const call = serviceCallOf('arn:aws:states:::events:putEvents', { Entries: [] });
    const answer = { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] };

    // Act
    const failure = failureOfAnswer(call, answer);

    // Assess
    expect([failure?.name, failure?.message]).toEqual(['EventBridge.FailedEntry', JSON.stringify(answer)]);
    expect(failureOfAnswer(call, { FailedEntryCount: 0, Entries: [] })).toBeUndefined();
    expect(failureOfAnswer(serviceCallOf('arn:aws:states:::lambda:invoke', {}), answer)).toBeUndefined();
  });
});
