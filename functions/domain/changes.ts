import type { Change, WorkOrder } from './work-order.ts';

/**
 * Several rules often make one change of an order together: the checkpoints already due and then the
 * person's action, an accepted reply and then the closing, an answered call-back and then the
 * reopening. Each rule is a change of its own (its version one up from what it was given), but what is
 * saved is one change: one version step, the events of every rule in order. `composeChanges` is the one
 * way to combine them, so that no caller patches a version by hand.
 */

/** One rule of a combined change: the change it makes to the order so far, or none. */
export type ChangeStep = (order: WorkOrder) => Change | undefined;
/** A rule that always changes the order. */
export type DefiniteStep = (order: WorkOrder) => Change;

/**
 * Applies `steps` in turn, each to the order the previous ones left, as one change of `order`: the
 * last step's order with the version one above `order`'s, and every step's events in order. No change
 * (undefined) when no step changed anything; a change whenever one of the steps always changes.
 */
export function composeChanges(order: WorkOrder, ...steps: [DefiniteStep, ...ChangeStep[]]): Change;
export function composeChanges(order: WorkOrder, ...steps: [...ChangeStep[], DefiniteStep]): Change;
export function composeChanges(order: WorkOrder, ...steps: ChangeStep[]): Change | undefined;
export function composeChanges(order: WorkOrder, ...steps: ChangeStep[]): Change | undefined {
  let current: Change | undefined;
  for (const step of steps) {
    const next = step(current?.order ?? order);
    if (next) current = { order: next.order, events: [...(current?.events ?? []), ...next.events] };
  }
  return current && { order: { ...current.order, version: order.version + 1 }, events: current.events };
}
