import { ExecutionDoesNotExist, GetExecutionHistoryCommand, InvalidToken } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { HotlineError, notFound } from '#domain/errors.ts';
import { actorOf } from '#shared/auth.ts';
import { stepFunctions } from '#shared/aws-clients.ts';
import { json, parseQuery, withoutBody } from '#shared/http.ts';
import { executionArnOf } from '#shared/lifecycle.ts';
import { readOrder } from '#shared/order-store.ts';

/**
 * GET /orders/{id}/execution-history?maxResults=&nextToken=&reverseOrder=: the order's lifecycle as
 * Step Functions recorded it, in GetExecutionHistory's shape (event types, ids, previous-event ids,
 * timestamps, inputs and outputs), paged with Step Functions' own token. Read-only, for auditors.
 */
const querySchema = z.strictObject({
  maxResults: z.coerce.number().int().min(1).max(1000).default(100),
  nextToken: z.string().min(1).max(3096).optional(),
  reverseOrder: z.enum(['true', 'false']).default('false'),
});

/** A task token is a live credential for a waiting task: auditors see that there was one, not what. */
const redactTokens = <T>(event: T): T =>
  JSON.parse(JSON.stringify(event).replace(/(\\?"taskToken\\?":\\?")[^"\\]+/g, '$1<redacted>')) as T;

export const handler = withoutBody(async (event) => {
  actorOf(event); // the authorizer admitted an auditor or a supervisor; a token without a role stops here
  const query = parseQuery(querySchema, event);
  const id = event.pathParameters?.id ?? '';
  if (!(await readOrder(id))) throw notFound('order', id);
  const executionArn = executionArnOf(id);
  try {
    const page = await stepFunctions.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: query.maxResults,
        reverseOrder: query.reverseOrder === 'true',
        includeExecutionData: true,
        ...(query.nextToken ? { nextToken: query.nextToken } : {}),
      }),
    );
    return json(200, {
      executionArn,
      events: (page.events ?? []).map((e) => redactTokens({ ...e, timestamp: e.timestamp?.toISOString() })),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    });
  } catch (error) {
    if (error instanceof InvalidToken)
      throw new HotlineError(
        'badRequest',
        'INVALID_NEXT_TOKEN',
        'nextToken is not one this history handed out.',
      );
    // Histories are kept 90 days after an execution ends; the event log (timeline) is kept for good.
    if (error instanceof ExecutionDoesNotExist) throw notFound('execution', id);
    throw error;
  }
});
