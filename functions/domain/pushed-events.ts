/**
 * The events of an order's log that the units' own systems are told of (push-deliveries.ts says
 * which units, and what). A list of its own, without imports, so the wiring table can name it.
 */
export const pushedEventTypes = [
  'dispatched',
  'redispatched',
  'co_handling_requested',
  'departments_summoned',
  'reminder',
  'supervision',
  'reply_rejected',
  'reopened',
  'callback_answered',
  'callback_unreachable',
] as const;
export type PushedEventType = (typeof pushedEventTypes)[number];
