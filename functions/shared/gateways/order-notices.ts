import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { limitExpiredEventDetail, type WorkOrder } from '#domain/work-order.ts';
import { eventBridge } from '#shared/platform/aws-clients.ts';
import { requireEnv } from '#shared/platform/config.ts';
import { envNames, workOrderEventSource } from '#wiring/wiring.ts';

/**
 * `WorkOrder Limit Expired` on the bus: the order's limit ran out without a reply, so its call-back is
 * due (Art. 23). Whoever saved that change publishes it (the checkpoint task, or an action that applied
 * the checkpoint on its way); the checkpoint task publishes again at every later checkpoint while the
 * call-back is still only due, so one failed publish delays the call-back but never loses it. The
 * consumer is idempotent (the order says whether the round is scheduled already).
 */
export const publishIfCallbackDue = async (order: WorkOrder): Promise<boolean> => {
  if (order.callback?.state !== 'due' || order.callback.reason !== 'limit_expired') return false;
  const result = await eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: requireEnv(envNames.eventBus),
          Source: workOrderEventSource,
          DetailType: 'WorkOrder Limit Expired',
          Detail: JSON.stringify(limitExpiredEventDetail(order)),
        },
      ],
    }),
  );
  if (result.FailedEntryCount) {
    throw new Error(`PutEvents refused the event: ${result.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
  }
  return true;
};
