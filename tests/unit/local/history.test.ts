import { describe, expect, it } from 'vitest';
import {
  fromInterpreterEvent,
  numberEvents,
  taskEvent,
  taskResourceOf,
} from '../../../local/stepfunctions/history.ts';

const T = Date.parse('2026-12-01T02:00:00.000Z');
const TS = '2026-12-01T02:00:00.000Z';

describe('fromInterpreterEvent', () => {
  it('returns ExecutionStarted with the input as a JSON string', () => {
    // Act
    const event = fromInterpreterEvent({
      type: 'ExecutionStarted',
      timestamp: T,
      input: { orderId: 'WO-1' },
    });

    // Assess
    expect(event).toEqual({
      type: 'ExecutionStarted',
      timestamp: TS,
      executionStartedEventDetails: { input: '{"orderId":"WO-1"}', inputDetails: { truncated: false } },
    });
  });

  it('returns ExecutionSucceeded with the output as a JSON string, "null" when there is none', () => {
    // Act
    const withOutput = fromInterpreterEvent({
      type: 'ExecutionSucceeded',
      timestamp: T,
      output: { done: true },
    });
    const without = fromInterpreterEvent({ type: 'ExecutionSucceeded', timestamp: T });

    // Assess
    expect(withOutput).toEqual({
      type: 'ExecutionSucceeded',
      timestamp: TS,
      executionSucceededEventDetails: { output: '{"done":true}', outputDetails: { truncated: false } },
    });
    expect(without).toMatchObject({ executionSucceededEventDetails: { output: 'null' } });
  });

  it('returns ExecutionFailed with the error and the cause, a string cause kept as it is', () => {
    // Act
    const stringCause = fromInterpreterEvent({
      type: 'ExecutionFailed',
      timestamp: T,
      Error: 'States.TaskFailed',
      Cause: 'the lambda threw',
    });
    const objectCause = fromInterpreterEvent({
      type: 'ExecutionFailed',
      timestamp: T,
      Error: 'HotlineError',
      Cause: { code: 'ORDER_NOT_FOUND' },
    });

    // Assess
    expect(stringCause).toEqual({
      type: 'ExecutionFailed',
      timestamp: TS,
      executionFailedEventDetails: { error: 'States.TaskFailed', cause: 'the lambda threw' },
    });
    expect(objectCause).toMatchObject({
      executionFailedEventDetails: { error: 'HotlineError', cause: '{"code":"ORDER_NOT_FOUND"}' },
    });
  });

  it('returns ExecutionAborted and ExecutionTimedOut (AWS spelling) for aborts and timeouts', () => {
    // Assess
    expect(fromInterpreterEvent({ type: 'ExecutionAborted', timestamp: T })).toEqual({
      type: 'ExecutionAborted',
      timestamp: TS,
      executionAbortedEventDetails: {},
    });
    expect(fromInterpreterEvent({ type: 'ExecutionTimeout', timestamp: T })).toEqual({
      type: 'ExecutionTimedOut',
      timestamp: TS,
      executionTimedOutEventDetails: { error: 'States.Timeout' },
    });
  });

  it('returns <Type>StateEntered with the state name and input for each state type', () => {
    // Prepare
    const types: Record<string, string> = {
      Task: 'TaskStateEntered',
      Choice: 'ChoiceStateEntered',
      Pass: 'PassStateEntered',
      Wait: 'WaitStateEntered',
      Succeed: 'SucceedStateEntered',
      Fail: 'FailStateEntered',
      Parallel: 'ParallelStateEntered',
      Map: 'MapStateEntered',
    };

    // Act / Assess
    for (const [stateType, expected] of Object.entries(types)) {
      const event = fromInterpreterEvent({
        type: 'StateEntered',
        timestamp: T,
        state: { name: 'DispatchByCatalogue', type: stateType, input: { orderId: 'WO-1' } },
      });
      expect(event).toEqual({
        type: expected,
        timestamp: TS,
        stateEnteredEventDetails: {
          name: 'DispatchByCatalogue',
          input: '{"orderId":"WO-1"}',
          inputDetails: { truncated: false },
        },
      });
    }
  });

  it('returns <Type>StateExited with the state name and output', () => {
    // Act
    const event = fromInterpreterEvent({
      type: 'StateExited',
      timestamp: T,
      state: { name: 'IsDispatched', type: 'Choice', output: { outcome: 'dispatched' } },
    });

    // Assess
    expect(event).toEqual({
      type: 'ChoiceStateExited',
      timestamp: TS,
      stateExitedEventDetails: {
        name: 'IsDispatched',
        output: '{"outcome":"dispatched"}',
        outputDetails: { truncated: false },
      },
    });
  });

  it('returns nothing for the exit of a Fail state, which AWS never records', () => {
    // Assess
    expect(
      fromInterpreterEvent({ type: 'StateExited', timestamp: T, state: { name: 'Failed', type: 'Fail' } }),
    ).toBeUndefined();
  });

  it('returns StateEntered / StateExited without a prefix for an unknown state type', () => {
    // Assess
    expect(
      fromInterpreterEvent({ type: 'StateEntered', timestamp: T, state: { name: 'X', type: 'Odd' } })?.type,
    ).toBe('StateEntered');
    expect(fromInterpreterEvent({ type: 'StateExited', timestamp: T })?.type).toBe('StateExited');
  });

  it('returns nothing for the interpreter events AWS has no event for (failed, retried, caught)', () => {
    // Assess
    for (const type of ['StateFailed', 'StateRetried', 'StateCaught', 'Whatever']) {
      expect(fromInterpreterEvent({ type, timestamp: T }), type).toBeUndefined();
    }
  });
});

describe('taskResourceOf', () => {
  it('returns the service and the action of an optimised integration ARN', () => {
    // Assess
    expect(taskResourceOf('arn:aws:states:::lambda:invoke.waitForTaskToken')).toEqual({
      resourceType: 'lambda',
      resource: 'invoke.waitForTaskToken',
    });
    expect(taskResourceOf('arn:aws:states:::lambda:invoke')).toEqual({
      resourceType: 'lambda',
      resource: 'invoke',
    });
    expect(taskResourceOf('arn:aws:states:::events:putEvents')).toEqual({
      resourceType: 'events',
      resource: 'putEvents',
    });
    expect(taskResourceOf('arn:aws:states:::dynamodb:updateItem')).toEqual({
      resourceType: 'dynamodb',
      resource: 'updateItem',
    });
  });

  it('returns a plain Lambda function ARN as a lambda resource', () => {
    // Prepare
    const arn = 'arn:aws:lambda:cn-north-1:123456789012:function:hotline-dispatch-order';

    // Act / Assess
    expect(taskResourceOf(arn)).toEqual({ resourceType: 'lambda', resource: arn });
  });
});

describe('taskEvent', () => {
  it('returns the event with its details under the camel-cased key of its type', () => {
    // Act
    const event = taskEvent(
      'TaskScheduled',
      T,
      { resourceType: 'lambda', resource: 'invoke' },
      { region: 'local' },
    );

    // Assess
    expect(event).toEqual({
      type: 'TaskScheduled',
      timestamp: TS,
      taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'local' },
    });
  });
});

describe('numberEvents', () => {
  it('returns ids from 1, each event pointing at the one before it, the first at 0', () => {
    // Prepare
    const events = [
      { type: 'ExecutionStarted', timestamp: TS },
      { type: 'TaskStateEntered', timestamp: TS },
      { type: 'TaskScheduled', timestamp: TS },
    ];

    // Act
    const numbered = numberEvents(events);

    // Assess
    expect(numbered.map((e) => [e.id, e.previousEventId, e.type])).toEqual([
      [1, 0, 'ExecutionStarted'],
      [2, 1, 'TaskStateEntered'],
      [3, 2, 'TaskScheduled'],
    ]);
  });

  it('returns an empty history for no events and leaves its input untouched', () => {
    // Prepare
    const events = [{ type: 'ExecutionStarted', timestamp: TS }];

    // Act
    numberEvents(events);

    // Assess
    expect(numberEvents([])).toEqual([]);
    expect(events).toEqual([{ type: 'ExecutionStarted', timestamp: TS }]);
  });
});
