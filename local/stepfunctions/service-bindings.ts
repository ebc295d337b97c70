import type { ServiceCall } from './protocol.ts';

/**
 * The Step Functions service integrations the local stack binds, and how: a Task's Resource and its
 * resolved Parameters become a call that the main thread makes against the local function runtime,
 * the local bus or DynamoDB Local. A Resource not listed here fails the task locally; the parity test
 * checks that every Resource in statemachines/ is bound.
 */
export class TaskError extends Error {
  /** Read by the interpreter: States.Runtime is neither retried nor caught, whatever the ASL says. */
  readonly isRetryable: boolean;
  readonly isCatchable: boolean;

  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
    this.isRetryable = name !== 'States.Runtime';
    this.isCatchable = name !== 'States.Runtime';
  }
}

/** The execution a call is made for (the optimized EventBridge integration names it in Resources). */
export interface CallerIds {
  readonly executionArn: string;
  readonly stateMachineArn: string;
}

/** The service call that a Task's Resource and its (already resolved) Parameters stand for. */
export const serviceCallOf = (resource: string, input: unknown, caller?: CallerIds): ServiceCall => {
  const params = (input ?? {}) as Record<string, unknown>;
  if (resource.startsWith('arn:aws:states:::lambda:invoke')) {
    return { service: 'lambda', functionName: String(params.FunctionName), payload: params.Payload ?? {} };
  }
  if (resource.startsWith('arn:aws:states:::events:putEvents')) {
    const entries = (params.Entries ?? []) as Record<string, unknown>[];
    // Step Functions appends the state machine's and the execution's ARNs to every entry's Resources.
    return {
      service: 'events',
      entries: caller
        ? entries.map((entry) => ({
            ...entry,
            Resources: [
              ...((entry.Resources as unknown[] | undefined) ?? []),
              caller.stateMachineArn,
              caller.executionArn,
            ],
          }))
        : entries,
    };
  }
  const dynamo = /^arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$/.exec(resource);
  if (dynamo?.[1]) return { service: 'dynamodb', action: dynamo[1], params };
  if (resource.startsWith('arn:aws:lambda:'))
    return { service: 'lambda', functionName: resource, payload: input };
  throw new TaskError('States.Runtime', `The local stack has no binding for resource ${resource}`);
};

/**
 * The error a call's answer makes of the task, if any: the optimized `events:putEvents` integration
 * fails the Task with EventBridge.FailedEntry when PutEvents reports failed entries (its cause is the
 * PutEvents response), which Retry and Catch then see like any task error.
 */
export const failureOfAnswer = (call: ServiceCall, answer: unknown): TaskError | undefined => {
  if (call.service !== 'events') return undefined;
  const failed = (answer as { FailedEntryCount?: unknown } | null)?.FailedEntryCount;
  return typeof failed === 'number' && failed > 0
    ? new TaskError('EventBridge.FailedEntry', JSON.stringify(answer))
    : undefined;
};
