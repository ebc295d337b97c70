import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DeleteRuleCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { signatureHeaders } from '#domain/push-signature.ts';
import type { PushSubscription } from '#domain/push-subscriptions.ts';
import { eventBridge } from '#shared/platform/aws-clients.ts';
import { requireEnv } from '#shared/platform/config.ts';
import { envNames, pushDeliveries } from '#wiring/wiring.ts';

/**
 * Each subscription's sending, on EventBridge: a connection (API-key auth: the header names the
 * subscription; the signature is the credential), an API destination on the endpoint, and a rule on
 * the bus matching the subscription's deliveries, whose target sends the delivery's body with its
 * signature headers taken from the event (HttpParameters with JSON paths), retries as
 * `pushDeliveries.retry` says and then gives up to the dead-letter queue.
 *
 * Every step is idempotent by name (`<prefix>-<subscription id>`), so a provisioning cut off half-way
 * is finished by running it again, and a removal by removing again.
 */
const TARGET_ID = 'endpoint';
const nameOf = (subscriptionId: string) => `${pushDeliveries.resourcePrefix}-${subscriptionId}`;

const connectionArnOf = async (subscription: PushSubscription): Promise<string> => {
  const Name = nameOf(subscription.subscriptionId);
  try {
    const made = await eventBridge.send(
      new CreateConnectionCommand({
        Name,
        Description: `Hotline push to unit ${subscription.unitId}`,
        AuthorizationType: 'API_KEY',
        AuthParameters: {
          ApiKeyAuthParameters: {
            ApiKeyName: pushDeliveries.apiKeyHeader,
            ApiKeyValue: subscription.subscriptionId,
          },
        },
      }),
    );
    if (made.ConnectionArn) return made.ConnectionArn;
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
  const found = await eventBridge.send(new DescribeConnectionCommand({ Name }));
  if (!found.ConnectionArn) throw new Error(`Connection ${Name} has no ARN.`);
  return found.ConnectionArn;
};

const destinationArnOf = async (subscription: PushSubscription, connectionArn: string): Promise<string> => {
  const Name = nameOf(subscription.subscriptionId);
  try {
    const made = await eventBridge.send(
      new CreateApiDestinationCommand({
        Name,
        ConnectionArn: connectionArn,
        InvocationEndpoint: subscription.url,
        HttpMethod: 'POST',
        InvocationRateLimitPerSecond: pushDeliveries.rateLimitPerSecond,
      }),
    );
    if (made.ApiDestinationArn) return made.ApiDestinationArn;
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  }
  const found = await eventBridge.send(new DescribeApiDestinationCommand({ Name }));
  if (!found.ApiDestinationArn) throw new Error(`API destination ${Name} has no ARN.`);
  return found.ApiDestinationArn;
};

/** Makes (or finishes making) the subscription's connection, destination, rule and target. */
export const provisionDestination = async (subscription: PushSubscription): Promise<void> => {
  const EventBusName = requireEnv(envNames.eventBus);
  const Name = nameOf(subscription.subscriptionId);
  const destinationArn = await destinationArnOf(subscription, await connectionArnOf(subscription));
  // PutRule and PutTargets create or update: running them again is harmless.
  await eventBridge.send(
    new PutRuleCommand({
      Name,
      EventBusName,
      Description: `Deliveries of subscription ${subscription.subscriptionId} (unit ${subscription.unitId})`,
      State: 'ENABLED',
      EventPattern: JSON.stringify({
        source: [pushDeliveries.source],
        'detail-type': [pushDeliveries.detailType],
        detail: { subscriptionId: [subscription.subscriptionId] },
      }),
    }),
  );
  const put = await eventBridge.send(
    new PutTargetsCommand({
      Rule: Name,
      EventBusName,
      Targets: [
        {
          Id: TARGET_ID,
          Arn: destinationArn,
          RoleArn: requireEnv(envNames.pushInvokeRoleArn),
          InputPath: '$.detail.body',
          HttpParameters: {
            // The signature's headers, their values from the delivery (push-order-events.ts).
            HeaderParameters: {
              [signatureHeaders.id]: '$.detail.deliveryId',
              [signatureHeaders.timestamp]: '$.detail.timestamp',
              [signatureHeaders.signature]: '$.detail.signature',
            },
          },
          RetryPolicy: {
            MaximumRetryAttempts: pushDeliveries.retry.maximumRetryAttempts,
            MaximumEventAgeInSeconds: pushDeliveries.retry.maximumEventAgeSeconds,
          },
          DeadLetterConfig: { Arn: requireEnv(envNames.pushDeadLetterArn) },
        },
      ],
    }),
  );
  if (put.FailedEntryCount) {
    const failed = put.FailedEntries?.[0];
    throw new Error(`PutTargets refused the target of ${Name}: ${failed?.ErrorCode} ${failed?.ErrorMessage}`);
  }
};

/** Removes what provisionDestination made; what is already gone is skipped. */
export const removeDestination = async (subscriptionId: string): Promise<void> => {
  const EventBusName = requireEnv(envNames.eventBus);
  const Name = nameOf(subscriptionId);
  const ignoringMissing = async (step: () => Promise<unknown>) => {
    try {
      await step();
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  };
  await ignoringMissing(() =>
    eventBridge.send(new RemoveTargetsCommand({ Rule: Name, EventBusName, Ids: [TARGET_ID] })),
  );
  await ignoringMissing(() => eventBridge.send(new DeleteRuleCommand({ Name, EventBusName })));
  await ignoringMissing(() => eventBridge.send(new DeleteApiDestinationCommand({ Name })));
  await ignoringMissing(() => eventBridge.send(new DeleteConnectionCommand({ Name })));
};
