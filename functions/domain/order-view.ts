import type { WorkOrder } from './work-order.ts';

/**
 * What a caller sees of an order. Art. 8: the identity and contact details of a person who reports
 * wrongdoing (举报) are protected, so a handling unit sees a report's requester only as "protected";
 * units still see other requesters' contacts because they must call them (首次联系).
 */
export const viewOrder = (order: WorkOrder, viewer: { role: string }) => {
  const shown =
    viewer.role === 'unit' && order.appealType === 'report'
      ? {
          ...order,
          requester: { kind: order.requester.kind, anonymous: order.requester.anonymous, protected: true },
        }
      : order;
  return inReadingOrder(shown);
};

/** Fields in the order a person reads an order (DynamoDB does not keep the order of a map's keys). */
const readingOrder = [
  'id',
  'version',
  'status',
  'flags',
  'appealType',
  'categoryCode',
  'urgency',
  'channel',
  'description',
  'requester',
  'location',
  'disposition',
  'unitId',
  'coUnitIds',
  'copiedUnitIds',
  'routeBasis',
  'deadlines',
  'receivedAt',
  'receivedBy',
  'dispatchedAt',
  'reply',
  'closedAt',
  'closure',
  'updatedAt',
] as const;

const inReadingOrder = <T extends object>(value: T): T => {
  const source = value as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of readingOrder) if (key in source) ordered[key] = source[key];
  for (const key of Object.keys(source)) if (!(key in ordered)) ordered[key] = source[key];
  return ordered as T;
};
