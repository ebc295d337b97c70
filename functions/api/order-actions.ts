import * as z from 'zod';
import { routeByDispatcher } from '#domain/dispatch-catalogue.ts';
import { deadlinesAtDispatch } from '#domain/dispatch-deadlines.ts';
import { ConcurrentUpdateError, HotlineError, notFound } from '#domain/errors.ts';
import { viewOrder } from '#domain/order-view.ts';
import { secondsUntil } from '#domain/time-limits.ts';
import {
  type Change,
  dispatchOrder,
  replyResults,
  replyToOrder,
  type WorkOrder,
} from '#domain/work-order.ts';
import { actorOf, canRead, type PersonActor } from '#shared/auth.ts';
import { clock } from '#shared/clock.ts';
import { deadlineRules } from '#shared/deadline-rules.ts';
import { type ApiEvent, json, withJsonBody } from '#shared/http.ts';
import { readOrder, saveChange } from '#shared/order-store.ts';
import { referenceData } from '#shared/reference.ts';
import { completeWaitingTask } from '#shared/task-tokens.ts';

/**
 * POST /orders/{id}/<action>: a person acts on an order. The action is checked against the order's
 * state (explicit transition table), saved with its event, and then completes the workflow's waiting
 * callback task with the action's payload, so that it also shows in the execution history.
 */
const unitId = z.string().min(1).max(64);
const actions = {
  dispatch: z.strictObject({
    unitId,
    coUnitIds: z.array(unitId).max(10).default([]),
    note: z.string().max(1000).optional(),
  }),
  reply: z.strictObject({ result: z.enum(replyResults), text: z.string().trim().min(1).max(4000) }),
} as const;
type ActionName = keyof typeof actions;

interface Decided {
  readonly change: Change;
  /** Which waiting task the action completes, and with what. */
  readonly completes: 'dispatch' | 'reply';
  readonly output: Record<string, unknown>;
}

const decide = (
  name: ActionName,
  raw: unknown,
  order: WorkOrder,
  actor: PersonActor,
  nowMs: number,
): Decided => {
  if (name === 'dispatch') {
    const body = actions.dispatch.parse(raw);
    for (const id of [body.unitId, ...body.coUnitIds]) {
      if (!referenceData.unit(id)) throw new HotlineError('unprocessable', 'UNKNOWN_UNIT', `No unit ${id}.`);
    }
    const route = routeByDispatcher(referenceData, { leadUnitId: body.unitId, coUnitIds: body.coUnitIds });
    const deadlines = deadlinesAtDispatch(order, nowMs, deadlineRules);
    const change = dispatchOrder(order, { route, deadlines, nowMs, actor });
    return {
      change,
      completes: 'dispatch',
      output: {
        outcome: 'dispatched',
        timeoutSeconds: secondsUntil(deadlines.resolveBy, nowMs),
        unitId: body.unitId,
        by: actor.sub,
        ...(body.note ? { note: body.note } : {}),
      },
    };
  }
  const body = actions.reply.parse(raw);
  const change = replyToOrder(order, { ...body, nowMs, actor });
  return {
    change,
    completes: 'reply',
    output: { outcome: 'replied', result: body.result, text: body.text, by: actor.sub },
  };
};

const expectedVersionOf = (event: ApiEvent): number | undefined => {
  const header = event.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  if (!match)
    throw new HotlineError(
      'badRequest',
      'INVALID_IF_MATCH',
      'If-Match must be the ETag of the order, e.g. "3".',
    );
  return Number(match[1]);
};

/** A lost race with the workflow's own bookkeeping is retried on fresh data. */
const MAX_ATTEMPTS = 3;

export const handler = withJsonBody(z.unknown(), async (event, body) => {
  const actor = actorOf(event);
  const name = event.routeKey.split('/').at(-1) as ActionName;
  if (!(name in actions)) throw new HotlineError('notFound', 'UNKNOWN_ACTION', `No action ${name}.`);
  const id = event.pathParameters?.id ?? '';
  const expectedVersion = expectedVersionOf(event);

  for (let attempt = 1; ; attempt++) {
    const stored = await readOrder(id);
    if (!stored || !canRead(actor, stored.order)) throw notFound('order', id);
    if (expectedVersion !== undefined && expectedVersion !== stored.order.version) {
      throw new HotlineError(
        'conflict',
        'VERSION_CONFLICT',
        `The order is at version ${stored.order.version}, not ${expectedVersion}.`,
      );
    }
    const decided = decide(name, body, stored.order, actor, clock.now());
    const waiting = stored.pendingTask?.awaiting === decided.completes ? stored.pendingTask : undefined;
    try {
      const saved = await saveChange(stored, decided.change, { consumeTask: waiting !== undefined });
      if (waiting) await completeWaitingTask(waiting.token, decided.output);
      return json(200, viewOrder(saved.order, actor), { etag: `"${saved.order.version}"` });
    } catch (error) {
      // Read again: with If-Match, the version check above tells a real change from the workflow merely
      // storing its token (which moves no version).
      if (!(error instanceof ConcurrentUpdateError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
});
