import type { ServiceCall } from './protocol.ts';

/**
 * The Step Functions service integrations the local stack binds, and how: a Task's Resource and its
 * resolved Parameters become a call that the main thread makes against the local function runtime,
 * the local bus or DynamoDB Local. A Resource not listed here fails the task locally; the parity test
 * checks that every Resource in statemachines/ is bound.
 */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** The service call that a Task's Resource and its (already resolved) Parameters stand for. */
export const serviceCallOf = (resource: string, input: unknown): ServiceCall => {
  const params = (input ?? {}) as Record<string, unknown>;
  if (resource.startsWith('arn:aws:states:::lambda:invoke')) {
    return { service: 'lambda', functionName: String(params.FunctionName), payload: params.Payload ?? {} };
  }
  if (resource.startsWith('arn:aws:states:::events:putEvents')) {
    return { service: 'events', entries: (params.Entries ?? []) as Record<string, unknown>[] };
  }
  const dynamo = /^arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$/.exec(resource);
  if (dynamo?.[1]) return { service: 'dynamodb', action: dynamo[1], params };
  if (resource.startsWith('arn:aws:lambda:'))
    return { service: 'lambda', functionName: resource, payload: input };
  throw new TaskError('States.Runtime', `The local stack has no binding for resource ${resource}`);
};
