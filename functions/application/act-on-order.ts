import type * as z from 'zod';
import { composeChanges } from '#domain/changes.ts';
import { HotlineError, notFound } from '#domain/errors.ts';
import { applyDueCheckpoints } from '#domain/supervision.ts';
import type { Change, WorkOrder } from '#domain/work-order.ts';
import { completeWaitingTask } from '#shared/gateways/task-tokens.ts';
import { canRead, type PersonActor } from '#shared/platform/auth.ts';
import { clock } from '#shared/platform/clock.ts';
import { lifecycleStep } from '#shared/platform/deadline-rules.ts';
import { type Claim, claimPut, idempotent } from '#shared/platform/idempotency.ts';
import { logger } from '#shared/platform/logger.ts';
import { supervisionRules, workingCalendar } from '#shared/platform/reference.ts';
import { retryOnConcurrentUpdate, retryPolicies } from '#shared/platform/retry.ts';
import { readOrder, restorePendingTask, type StoredOrder, saveChange } from '#shared/stores/order-store.ts';

/**
 * A person acts on an order: load it, let the domain decide the change, save the change with its
 * events (and the Idempotency-Key's claim) in one transaction, then tell the lifecycle. No HTTP here:
 * the handlers parse requests into an `ActionRequest` and turn the outcome into a response.
 *
 * A write that loses a race with another writer of the order is decided again on fresh data
 * (shared/platform/retry.ts): persistently when the caller sent no If-Match (they asked for no optimistic check,
 * so every valid action lands), briefly when they did (a race that moved the version is then their
 * 409 VERSION_CONFLICT; one that moved none — the workflow storing its token — is retried).
 */
export interface ActionSpec<S extends z.ZodType> {
  readonly schema: S;
  readonly decide: (order: WorkOrder, body: z.infer<S>, actor: PersonActor, nowMs: number) => Change;
}
export const action = <S extends z.ZodType>(spec: ActionSpec<S>) => spec as unknown as ActionSpec<z.ZodType>;

/** How a kind of action takes part in the order's lifecycle. */
export interface ActionKind {
  /** Lifecycle actions apply the checkpoints already due first, in the same change, and complete the
   * waiting task, so that they never erase a missed deadline and show in the execution history. */
  readonly lifecycle: boolean;
  /** What follows a saved action (not a replay); runs once, after the save, never retried with it. */
  readonly afterSaved?: (name: string, order: WorkOrder, change: Change, nowMs: number) => Promise<void>;
}

export interface ActionRequest {
  readonly orderId: string;
  readonly name: string;
  readonly input: unknown;
  readonly actor: PersonActor;
  /** From If-Match: act only on this version. */
  readonly expectedVersion?: number;
  readonly claim?: Claim;
}

export interface ActionOutcome {
  readonly order: WorkOrder;
  readonly replayed: boolean;
}

const readable = async (request: ActionRequest): Promise<StoredOrder> => {
  const stored = await readOrder(request.orderId);
  if (!stored || !canRead(request.actor, stored.order)) throw notFound('order', request.orderId);
  return stored;
};

interface Saved {
  readonly stored: StoredOrder;
  readonly saved: StoredOrder;
  readonly change: Change;
  readonly nowMs: number;
}

/** One attempt on the order as read: check the version asked for, decide, save. */
const decideAndSave = async (
  spec: ActionSpec<z.ZodType>,
  kind: ActionKind,
  request: ActionRequest,
  claim: Claim | undefined,
  stored: StoredOrder,
): Promise<Saved> => {
  const { version } = stored.order;
  if (request.expectedVersion !== undefined && request.expectedVersion !== version) {
    throw new HotlineError(
      'conflict',
      'VERSION_CONFLICT',
      `The order is at version ${version}, not ${request.expectedVersion}.`,
    );
  }
  const nowMs = clock.now();
  const decide = (order: WorkOrder) => spec.decide(order, request.input, request.actor, nowMs);
  const change = kind.lifecycle
    ? composeChanges(
        stored.order,
        (order) => applyDueCheckpoints(order, nowMs, supervisionRules, workingCalendar),
        decide,
      )
    : decide(stored.order);
  const saved = await saveChange(stored, change, {
    consumeTask: kind.lifecycle && stored.pendingTask !== undefined,
    ...(claim ? { claim: claimPut(claim, { version: change.order.version }) } : {}),
  });
  return { stored, saved, change, nowMs };
};

/** Completes the lifecycle's waiting task with the action; a token it could not hand on is put back. */
const completeTask = async (request: ActionRequest, { stored, saved, nowMs }: Saved): Promise<void> => {
  const waiting = stored.pendingTask;
  if (!waiting) return;
  const { actor } = request;
  const completed = await completeWaitingTask(waiting.token, {
    action: request.name,
    by: { sub: actor.sub, role: actor.role, ...(actor.unitId ? { unitId: actor.unitId } : {}) },
    payload: request.input,
    ...lifecycleStep(saved.order, nowMs),
  });
  if (completed === 'failed') {
    // Best effort: the action is saved either way, and the caller must hear so.
    await restorePendingTask(request.orderId, waiting).catch((error: unknown) =>
      logger.error('Could not put the waiting task back', { error: error as Error }),
    );
  }
};

export const actOnOrder = async (
  spec: ActionSpec<z.ZodType>,
  kind: ActionKind,
  request: ActionRequest,
): Promise<ActionOutcome> => {
  const outcome = await retryOnConcurrentUpdate(
    () =>
      idempotent<Saved | { replay: StoredOrder }, StoredOrder>(request.claim, {
        // The key's claim is looked up on every attempt, after the order is read: a duplicate that won
        // the race meanwhile is answered as a replay, never refused for the change it made.
        load: () => readable(request),
        act: (claim, stored) => decideAndSave(spec, kind, request, claim, stored),
        replay: async () => ({ replay: await readable(request) }),
      }),
    request.expectedVersion === undefined ? retryPolicies.persistent : retryPolicies.brief,
  );
  if ('replay' in outcome) return { order: outcome.replay.order, replayed: true };
  if (kind.lifecycle) await completeTask(request, outcome);
  await kind.afterSaved?.(request.name, outcome.saved.order, outcome.change, outcome.nowMs);
  return { order: outcome.saved.order, replayed: false };
};
