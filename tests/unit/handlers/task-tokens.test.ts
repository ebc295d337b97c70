import {
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setHandlerEnvironment } from './support.ts';

// Read by the shared modules when they load: set before the dynamic import below.
setHandlerEnvironment();

const sfn = mockClient(SFNClient);

let completeWaitingTask: typeof import('../../../functions/shared/gateways/task-tokens.ts')['completeWaitingTask'];

beforeAll(async () => {
  ({ completeWaitingTask } = await import('../../../functions/shared/gateways/task-tokens.ts'));
});

beforeEach(() => {
  sfn.reset();
});

const output = { action: 'reply', step: 'wait', timeoutSeconds: 60, version: 5 };

describe('completeWaitingTask', () => {
  it('returns completed after sending the output to the waiting task', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const outcome = await completeWaitingTask('task-token-1', output);

    // Assess
    expect(outcome).toBe('completed');
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: 'task-token-1',
      output: JSON.stringify(output),
    });
  });

  it('returns gone when the task timed out, does not exist or its token is not valid', async () => {
    // Prepare
    const errors = [
      new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }),
      new TaskDoesNotExist({ message: 'Task does not exist', $metadata: {} }),
      new InvalidToken({ message: 'Invalid token', $metadata: {} }),
    ];

    // Act
    const outcomes = [];
    for (const error of errors) {
      sfn.reset();
      sfn.on(SendTaskSuccessCommand).rejects(error);
      outcomes.push(await completeWaitingTask('task-token-1', output));
    }

    // Assess
    expect(outcomes).toEqual(['gone', 'gone', 'gone']);
  });

  it('returns failed, without throwing, when Step Functions cannot be reached or refuses otherwise', async () => {
    // Prepare
    const errors = [
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
      new Error('socket hang up'),
      Object.assign(new Error('Internal'), { name: 'InternalServerError' }),
    ];

    // Act
    const outcomes = [];
    for (const error of errors) {
      sfn.reset();
      sfn.on(SendTaskSuccessCommand).rejects(error);
      outcomes.push(await completeWaitingTask('task-token-1', output));
    }

    // Assess
    expect(outcomes).toEqual(['failed', 'failed', 'failed']);
  });
});
