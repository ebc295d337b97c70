import * as z from 'zod';
import { answerCallback, callbackAnswerSchema, callbackNotReached } from '#domain/callback.ts';
import { routeByDispatcher } from '#domain/dispatch-catalogue.ts';
import { deadlinesAtDispatch } from '#domain/dispatch-deadlines.ts';
import { ConcurrentUpdateError, HotlineError, notFound } from '#domain/errors.ts';
import { canonicalJson } from '#domain/order-events.ts';
import { viewOrder } from '#domain/order-view.ts';
import { applyDueCheckpoints } from '#domain/supervision.ts';
import { applyLimit } from '#domain/time-limits.ts';
import {
  acceptOrder,
  decideExtension,
  decideObjection,
  escalate,
  noteProgress,
  objectToDispatch,
  recordContact,
  replyToOrder,
  reportCoHandling,
  requestCoHandling,
  requestExtension,
  reviewReply,
  summonDepartments,
} from '#domain/unit-actions.ts';
import { type Change, contactWays, dispatchOrder, replyResults, type WorkOrder } from '#domain/work-order.ts';
import { actorOf, canRead, type PersonActor } from '#shared/auth.ts';
import { settleCallback } from '#shared/callback-settlement.ts';
import { clock } from '#shared/clock.ts';
import { deadlineRules, lifecycleStep } from '#shared/deadline-rules.ts';
import { type ApiEvent, idempotencyKeyOf, json, sha256, withJsonBody } from '#shared/http.ts';
import { logger } from '#shared/logger.ts';
import { publishIfCallbackDue } from '#shared/order-notices.ts';
import { readActionClaim, readOrder, restorePendingTask, saveChange } from '#shared/order-store.ts';
import {
  callbackRules,
  referenceData,
  supervisionRules,
  timeLimits,
  workingCalendar,
} from '#shared/reference.ts';
import { completeWaitingTask } from '#shared/task-tokens.ts';

/**
 * POST /orders/{id}/<action>: a person acts on an order. The action is checked against the order's
 * state (the explicit transition table) and the actor, saved with its event, and then completes the
 * lifecycle's waiting task with the action's payload, so that it also shows in the execution history.
 * An `Idempotency-Key` makes a retried action return the first answer instead of acting twice.
 */
const unitId = z.string().min(1).max(64);
const text = z.string().trim().min(1).max(4000);
const note = z.string().trim().min(1).max(1000);

const knownUnit = (id: string) => {
  if (!referenceData.unit(id)) throw new HotlineError('unprocessable', 'UNKNOWN_UNIT', `No unit ${id}.`);
  return id;
};
const dispatchTo = (order: WorkOrder, nowMs: number, leadUnitId: string, coUnitIds: readonly string[]) => {
  for (const id of [leadUnitId, ...coUnitIds]) knownUnit(id);
  return {
    route: routeByDispatcher(referenceData, { leadUnitId, coUnitIds }),
    deadlines: deadlinesAtDispatch(order, nowMs, deadlineRules),
  };
};

interface ActionSpec<S extends z.ZodType> {
  readonly schema: S;
  readonly decide: (order: WorkOrder, body: z.infer<S>, actor: PersonActor, nowMs: number) => Change;
}
const action = <S extends z.ZodType>(spec: ActionSpec<S>) => spec as unknown as ActionSpec<z.ZodType>;

/** Path segment → the action. Which roles may call each route is in wiring/wiring.ts. */
export const actions: Readonly<Record<string, ActionSpec<z.ZodType>>> = {
  dispatch: action({
    schema: z.strictObject({ unitId, coUnitIds: z.array(unitId).max(10).default([]), note: note.optional() }),
    decide: (order, body, actor, nowMs) => {
      if (actor.role !== 'dispatcher' && actor.role !== 'supervisor') {
        throw new HotlineError('forbidden', 'CENTRE_ONLY', 'Only a dispatcher or a supervisor dispatches.');
      }
      return dispatchOrder(order, {
        ...dispatchTo(order, nowMs, body.unitId, body.coUnitIds),
        nowMs,
        actor,
        ...(body.note ? { note: body.note } : {}),
      });
    },
  }),
  accept: action({
    schema: z.strictObject({ note: note.optional() }),
    decide: (order, _body, actor, nowMs) => acceptOrder(order, actor, nowMs),
  }),
  objection: action({
    schema: z.strictObject({ reason: note }),
    decide: (order, body, actor, nowMs) => objectToDispatch(order, actor, nowMs, body.reason),
  }),
  'objection-decision': action({
    schema: z.discriminatedUnion('decision', [
      z.strictObject({
        decision: z.literal('redispatch'),
        unitId,
        coUnitIds: z.array(unitId).max(10).default([]),
        note: note.optional(),
      }),
      z.strictObject({ decision: z.literal('confirm'), note }),
    ]),
    decide: (order, body, actor, nowMs) =>
      body.decision === 'confirm'
        ? decideObjection(order, actor, nowMs, { kind: 'confirm', note: body.note })
        : decideObjection(order, actor, nowMs, {
            kind: 'redispatch',
            ...dispatchTo(order, nowMs, body.unitId, body.coUnitIds),
            ...(body.note ? { note: body.note } : {}),
          }),
  }),
  contact: action({
    schema: z.strictObject({
      at: z.iso.datetime({ offset: true }).optional(),
      way: z.enum(contactWays),
      note: note.optional(),
    }),
    decide: (order, body, actor, nowMs) =>
      recordContact(order, actor, nowMs, {
        way: body.way,
        ...(body.at ? { at: new Date(body.at).toISOString() } : {}),
        ...(body.note ? { note: body.note } : {}),
      }),
  }),
  progress: action({
    schema: z.strictObject({ text }),
    decide: (order, body, actor, nowMs) => noteProgress(order, actor, nowMs, body.text),
  }),
  'co-handling': action({
    schema: z.strictObject({ unitIds: z.array(unitId).min(1).max(10), note }),
    decide: (order, body, actor, nowMs) =>
      requestCoHandling(order, actor, nowMs, { unitIds: body.unitIds.map(knownUnit), note: body.note }),
  }),
  'co-handling-report': action({
    schema: z.strictObject({ text }),
    decide: (order, body, actor, nowMs) => reportCoHandling(order, actor, nowMs, body.text),
  }),
  summon: action({
    schema: z.strictObject({ unitIds: z.array(unitId).min(1).max(10), note }),
    decide: (order, body, actor, nowMs) =>
      summonDepartments(order, actor, nowMs, {
        unitIds: body.unitIds.map(knownUnit),
        note: body.note,
        leadIsStreet: referenceData.unit(order.unitId ?? '')?.class === 'street',
      }),
  }),
  extension: action({
    schema: z.strictObject({ days: z.number().int().min(1).max(30), reason: note }),
    decide: (order, body, actor, nowMs) => requestExtension(order, actor, nowMs, body),
  }),
  'extension-decision': action({
    schema: z.strictObject({ approve: z.boolean(), note: note.optional() }),
    decide: (order, body, actor, nowMs) =>
      decideExtension(order, actor, nowMs, {
        approve: body.approve,
        ...(body.note ? { note: body.note } : {}),
      }),
  }),
  escalation: action({
    schema: z.strictObject({ to: z.enum(['district', 'city', 'regulator']), reason: note }),
    decide: (order, body, actor, nowMs) =>
      escalate(order, actor, nowMs, {
        ...body,
        ...(referenceData.districtGovernmentOf(order.location.districtCode)
          ? { districtGovernmentId: referenceData.districtGovernmentOf(order.location.districtCode)?.id }
          : {}),
      }),
  }),
  reply: action({
    schema: z.strictObject({ result: z.enum(replyResults), text }),
    decide: (order, body, actor, nowMs) => replyToOrder(order, { ...body, nowMs, actor }),
  }),
  'reply-review': action({
    schema: z.discriminatedUnion('decision', [
      z.strictObject({ decision: z.literal('accept') }),
      z.strictObject({ decision: z.literal('reject'), reason: note }),
    ]),
    decide: (order, body, actor, nowMs) =>
      reviewReply(
        order,
        actor,
        nowMs,
        body.decision === 'accept'
          ? { accept: true }
          : {
              accept: false,
              reason: body.reason,
              // A rejected reply gets the short limit of a reopened order, never less than it had.
              resolveBy: new Date(
                applyLimit(nowMs, timeLimits.reopened.resolve, workingCalendar),
              ).toISOString(),
            },
      ),
  }),
  // 回访: the operator called the requester back — their answers, or that nobody answered this time.
  callback: action({
    schema: z.discriminatedUnion('reached', [
      callbackAnswerSchema.extend({ reached: z.literal(true) }),
      z.strictObject({ reached: z.literal(false), note }),
    ]),
    decide: (order, body, actor, nowMs) => {
      if (!body.reached) return callbackNotReached(order, { note: body.note, actor, nowMs });
      const { reached: _reached, ...answer } = body;
      return answerCallback(order, {
        answer,
        via: 'operator',
        actor,
        nowMs,
        maxReopenings: callbackRules.maxReopenings,
        resolveBy: applyLimit(nowMs, timeLimits.reopened.resolve, workingCalendar),
      });
    },
  }),
};

/**
 * After an action is saved: a call-back that fell due on the way (the limit ran out just before the
 * action) goes to the bus, and a call-back answer is settled (assessment, a reopened round's
 * execution). Both are idempotent and retried by later steps (checkpoints, the round's remaining
 * schedules), so a failure here is logged, not lost.
 */
const afterSaved = async (action: string, order: WorkOrder): Promise<void> => {
  await publishIfCallbackDue(order);
  if (action === 'callback') await settleCallback(order);
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

/** A lost race with the workflow's own bookkeeping, or with another action, is retried on fresh data. */
const MAX_ATTEMPTS = 3;

export const handler = withJsonBody(z.unknown(), async (event, body) => {
  const actor = actorOf(event);
  const name = event.routeKey.split('/').at(-1) ?? '';
  const spec = actions[name];
  if (!spec) throw new HotlineError('notFound', 'UNKNOWN_ACTION', `No action ${name}.`);
  const input = spec.schema.parse(body);
  const id = event.pathParameters?.id ?? '';
  const expectedVersion = expectedVersionOf(event);
  const key = idempotencyKeyOf(event);
  const claim = key
    ? { key: sha256(`${actor.sub}\n${name}\n${key}`), requestHash: sha256(canonicalJson({ name, input })) }
    : undefined;

  for (let attempt = 1; ; attempt++) {
    const stored = await readOrder(id);
    if (!stored || !canRead(actor, stored.order)) throw notFound('order', id);
    if (claim) {
      const earlier = await readActionClaim(id, claim.key);
      if (earlier) {
        if (earlier.requestHash !== claim.requestHash) {
          throw new HotlineError(
            'unprocessable',
            'IDEMPOTENCY_KEY_REUSED',
            'This Idempotency-Key was used for a different action.',
          );
        }
        return json(200, viewOrder(stored.order, actor), {
          etag: `"${stored.order.version}"`,
          'idempotent-replayed': 'true',
        });
      }
    }
    if (expectedVersion !== undefined && expectedVersion !== stored.order.version) {
      throw new HotlineError(
        'conflict',
        'VERSION_CONFLICT',
        `The order is at version ${stored.order.version}, not ${expectedVersion}.`,
      );
    }
    const nowMs = clock.now();
    // Checkpoints already due are applied first, in the same change: an action that races the
    // lifecycle's timeout never erases a missed deadline or a supervision step.
    const due = applyDueCheckpoints(stored.order, nowMs, supervisionRules, workingCalendar);
    const decided = spec.decide(due?.order ?? stored.order, input, actor, nowMs);
    const change = due
      ? {
          order: { ...decided.order, version: stored.order.version + 1 },
          events: [...due.events, ...decided.events],
        }
      : decided;
    const waiting = stored.pendingTask;
    try {
      const saved = await saveChange(stored, change, {
        consumeTask: waiting !== undefined,
        ...(claim ? { claim } : {}),
      });
      if (waiting) {
        const completed = await completeWaitingTask(waiting.token, {
          action: name,
          by: { sub: actor.sub, role: actor.role, ...(actor.unitId ? { unitId: actor.unitId } : {}) },
          payload: input,
          ...lifecycleStep(saved.order, nowMs),
        });
        if (completed === 'failed') {
          // Best effort: the action is saved either way, and the caller must hear so.
          await restorePendingTask(id, waiting).catch((error: unknown) =>
            logger.error('Could not put the waiting task back', { error: error as Error }),
          );
        }
      }
      await afterSaved(name, saved.order).catch((error: unknown) =>
        logger.error('Follow-up of the action failed; a later step retries it', { error: error as Error }),
      );
      return json(200, viewOrder(saved.order, actor), { etag: `"${saved.order.version}"` });
    } catch (error) {
      // Read again: the version check and the idempotency claim above tell a real change or a duplicate
      // from the workflow merely storing its token (which moves no version).
      if (!(error instanceof ConcurrentUpdateError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
});
