import { ExecutionDoesNotExist, GetExecutionHistoryCommand, InvalidToken } from '@aws-sdk/client-sfn';
import { HotlineError, notFound } from '#domain/errors.ts';
import { executionHistoryQuery } from '#shared/contract/requests.ts';
import { executionArnOf } from '#shared/gateways/lifecycle.ts';
import { actorOf } from '#shared/platform/auth.ts';
import { stepFunctions } from '#shared/platform/aws-clients.ts';
import { json, parseQuery, withoutBody } from '#shared/platform/http.ts';
import { readOrder } from '#shared/stores/order-store.ts';

/**
 * GET /orders/{id}/execution-history?round=&maxResults=&nextToken=&reverseOrder=: the order's lifecycle
 * as Step Functions recorded it, in GetExecutionHistory's shape (event types, ids, previous-event ids,
 * timestamps, inputs and outputs), paged with Step Functions' own token. Read-only, for auditors. Each
 * handling round (the first, and one per reopening after an unhappy call-back) is its own execution:
 * `round` picks one, the latest by default, and the answer lists every round's execution.
 */
/** A task token is a live credential for a waiting task: auditors see that there was one, not what. */
const redactTokens = <T>(event: T): T =>
  JSON.parse(JSON.stringify(event).replace(/(\\?"taskToken\\?":\\?")[^"\\]+/g, '$1<redacted>')) as T;

export const handler = withoutBody(async (event) => {
  actorOf(event); // the authorizer admitted an auditor or a supervisor; a token without a role stops here
  const query = parseQuery(executionHistoryQuery, event);
  const id = event.pathParameters?.id ?? '';
  const stored = await readOrder(id);
  if (!stored) throw notFound('order', id);
  const rounds = stored.order.round ?? 1;
  const round = query.round ?? rounds;
  if (round > rounds) {
    throw new HotlineError('notFound', 'ROUND_NOT_FOUND', `Order ${id} has ${rounds} handling round(s).`, {
      rounds,
    });
  }
  const executionArn = executionArnOf(id, round);
  const executions = Array.from({ length: rounds }, (_v, i) => ({
    round: i + 1,
    executionArn: executionArnOf(id, i + 1),
  }));
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
      round,
      executions,
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
