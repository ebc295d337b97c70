import type { WorkOrder } from './work-order.ts';

/**
 * What a caller sees of an order. Art. 8: the identity and contact details of a person who reports
 * wrongdoing (举报) are protected, so a handling unit sees a report's requester only as "protected";
 * units still see other requesters' contacts because they must call them (首次联系).
 */
export const viewOrder = (order: WorkOrder, viewer: { role: string }) => {
  if (viewer.role === 'unit' && order.appealType === 'report') {
    return {
      ...order,
      requester: { kind: order.requester.kind, anonymous: order.requester.anonymous, protected: true },
    };
  }
  return order;
};
