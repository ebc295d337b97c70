import type * as z from 'zod';
import { answerCallback, callbackNotReached } from '#domain/callback.ts';
import { routeByDispatcher } from '#domain/dispatch-catalogue.ts';
import { deadlinesAtDispatch } from '#domain/dispatch-deadlines.ts';
import { HotlineError } from '#domain/errors.ts';
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
import { dispatchOrder, type WorkOrder } from '#domain/work-order.ts';
import { orderActionBodies } from '#shared/contract/action-bodies.ts';
import { deadlineRules } from '#shared/platform/deadline-rules.ts';
import { callbackRules, referenceData, timeLimits, workingCalendar } from '#shared/platform/reference.ts';
import { type ActionSpec, action } from './act-on-order.ts';

/**
 * The actions people take on an order (POST /orders/{id}/<action>): for each, the body it takes (its
 * schema is shared/contract/action-bodies.ts, which the API document is generated from) and the domain
 * rule that decides the change. Which roles may call each route is in wiring/wiring.ts; how an action
 * is loaded, decided and saved is act-on-order.ts.
 */
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

/** Path segment → the action. Which roles may call each route is in wiring/wiring.ts. */
export const actions: Readonly<Record<string, ActionSpec<z.ZodType>>> = {
  dispatch: action({
    schema: orderActionBodies.dispatch,
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
    schema: orderActionBodies.accept,
    decide: (order, _body, actor, nowMs) => acceptOrder(order, actor, nowMs),
  }),
  objection: action({
    schema: orderActionBodies.objection,
    decide: (order, body, actor, nowMs) => objectToDispatch(order, actor, nowMs, body.reason),
  }),
  'objection-decision': action({
    schema: orderActionBodies['objection-decision'],
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
    schema: orderActionBodies.contact,
    decide: (order, body, actor, nowMs) =>
      recordContact(order, actor, nowMs, {
        way: body.way,
        ...(body.at ? { at: new Date(body.at).toISOString() } : {}),
        ...(body.note ? { note: body.note } : {}),
      }),
  }),
  progress: action({
    schema: orderActionBodies.progress,
    decide: (order, body, actor, nowMs) => noteProgress(order, actor, nowMs, body.text),
  }),
  'co-handling': action({
    schema: orderActionBodies['co-handling'],
    decide: (order, body, actor, nowMs) =>
      requestCoHandling(order, actor, nowMs, { unitIds: body.unitIds.map(knownUnit), note: body.note }),
  }),
  'co-handling-report': action({
    schema: orderActionBodies['co-handling-report'],
    decide: (order, body, actor, nowMs) => reportCoHandling(order, actor, nowMs, body.text),
  }),
  summon: action({
    schema: orderActionBodies.summon,
    decide: (order, body, actor, nowMs) =>
      summonDepartments(order, actor, nowMs, {
        unitIds: body.unitIds.map(knownUnit),
        note: body.note,
        leadIsStreet: referenceData.unit(order.unitId ?? '')?.class === 'street',
      }),
  }),
  extension: action({
    schema: orderActionBodies.extension,
    decide: (order, body, actor, nowMs) => requestExtension(order, actor, nowMs, body),
  }),
  'extension-decision': action({
    schema: orderActionBodies['extension-decision'],
    decide: (order, body, actor, nowMs) =>
      decideExtension(order, actor, nowMs, {
        approve: body.approve,
        ...(body.note ? { note: body.note } : {}),
      }),
  }),
  escalation: action({
    schema: orderActionBodies.escalation,
    decide: (order, body, actor, nowMs) =>
      escalate(order, actor, nowMs, {
        ...body,
        ...(referenceData.districtGovernmentOf(order.location.districtCode)
          ? { districtGovernmentId: referenceData.districtGovernmentOf(order.location.districtCode)?.id }
          : {}),
      }),
  }),
  reply: action({
    schema: orderActionBodies.reply,
    decide: (order, body, actor, nowMs) => replyToOrder(order, { ...body, nowMs, actor }),
  }),
  'reply-review': action({
    schema: orderActionBodies['reply-review'],
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
    schema: orderActionBodies.callback,
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
