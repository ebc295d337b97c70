import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { deliveryBodyOf, isPushedEventType, recipientsOf } from '#domain/push-deliveries.ts';
import { signatureHeaders, signDelivery } from '#domain/push-signature.ts';
import { secretDerivationInput, secretOf, signingGenerations } from '#domain/push-subscriptions.ts';
import { eventBridge } from '#shared/platform/aws-clients.ts';
import { requireEnv } from '#shared/platform/config.ts';
import { keyedHashFromSecret } from '#shared/platform/keyed-hash.ts';
import { readEvent, readOrder } from '#shared/stores/order-store.ts';
import { listSubscriptions } from '#shared/stores/push-subscription-store.ts';
import { envNames, pushDeliveries } from '#wiring/wiring.ts';

/**
 * One pushed event of an order's log (domain/push-deliveries.ts), delivered to every active
 * subscription of the units it concerns: each delivery is signed here and put on the bus, where the
 * subscription's rule sends it to the endpoint through its API destination. The stream consumer calls
 * this for each such event; when a put fails it is called again, and the deliveries keep their ids
 * (a receiver handles each once), so nothing is lost and nothing done twice by a receiver that
 * keeps the ids.
 *
 * The timestamp signed is the real time, not the local stack's movable clock: it is compared with the
 * receiver's own clock.
 */
const PUT_EVENTS_MAX = 10;

/** The signing secret of a subscription's current generation. */
export const subscriptionSecret = async (subscriptionId: string, generation: number): Promise<string> => {
  const derive = await keyedHashFromSecret(requireEnv(envNames.pushKeySecret));
  return secretOf(derive(secretDerivationInput(subscriptionId, generation)));
};

export const pushOrderEvent = async (orderId: string, seq: number): Promise<number> => {
  const [stored, event] = await Promise.all([readOrder(orderId), readEvent(orderId, seq)]);
  const type = event?.type ?? '';
  if (!stored || !event || !isPushedEventType(type)) return 0;
  const units = recipientsOf(event, stored.order);
  const subscriptions = (await Promise.all(units.map(listSubscriptions)))
    .flat()
    .filter((s) => s.state === 'active' && s.events.includes(type));
  if (subscriptions.length === 0) return 0;

  const EventBusName = requireEnv(envNames.eventBus);
  const entries: PutEventsRequestEntry[] = await Promise.all(
    subscriptions.map(async (subscription) => {
      const { body, deliveryId } = deliveryBodyOf({
        subscriptionId: subscription.subscriptionId,
        unitId: subscription.unitId,
        event,
        order: stored.order,
      });
      const nowMs = Date.now();
      const secrets = await Promise.all(
        signingGenerations(subscription, nowMs).map((g) =>
          subscriptionSecret(subscription.subscriptionId, g),
        ),
      );
      const headers = signDelivery({ id: deliveryId, body, nowMs }, secrets);
      return {
        EventBusName,
        Source: pushDeliveries.source,
        DetailType: pushDeliveries.detailType,
        // The body as an object: the API destination's target sends `$.detail.body`, serialised as
        // EventBridge serialises JSON (compact, keys in order), the bytes signed here.
        Detail: JSON.stringify({
          subscriptionId: subscription.subscriptionId,
          unitId: subscription.unitId,
          deliveryId,
          timestamp: headers[signatureHeaders.timestamp],
          signature: headers[signatureHeaders.signature],
          body: JSON.parse(body) as unknown,
        }),
      };
    }),
  );
  for (let i = 0; i < entries.length; i += PUT_EVENTS_MAX) {
    const result = await eventBridge.send(
      new PutEventsCommand({ Entries: entries.slice(i, i + PUT_EVENTS_MAX) }),
    );
    if (result.FailedEntryCount) {
      const failed = result.Entries?.find((e) => e.ErrorCode);
      throw new Error(
        `PutEvents refused a delivery: ${failed?.ErrorCode ?? 'unknown'} ${failed?.ErrorMessage ?? ''}`,
      );
    }
  }
  return entries.length;
};
