import { monotonicFactory } from 'ulid';
import { clock } from '#shared/platform/clock.ts';

const nextUlid = monotonicFactory();

/**
 * Order ids: `WO` + a ULID taken at the clock's time. Sortable by time, unguessable, and valid as a
 * Step Functions execution name (at most 80 characters of [A-Za-z0-9-_]).
 */
export const newOrderId = (): string => `WO${nextUlid(clock.now())}`;
export const orderIdPattern = /^WO[0-9A-HJKMNP-TV-Z]{26}$/;

/** Push subscription ids: `SUB` + a ULID; with the prefix, a valid EventBridge resource name. */
export const newSubscriptionId = (): string => `SUB${nextUlid(clock.now())}`;
