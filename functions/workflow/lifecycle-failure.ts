import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import {
  LifecycleFailedError,
  lifecycleFailedEventDetail,
  onLifecycleFailure,
} from '#domain/lifecycle-failure.ts';
import { eventBridge, stepFunctions } from '#shared/platform/aws-clients.ts';
import { clock } from '#shared/platform/clock.ts';
import { requireEnv } from '#shared/platform/config.ts';
import { requireOrder, workflowTask } from '#shared/platform/workflow-task.ts';
import { saveChange } from '#shared/stores/order-store.ts';
import { envNames, workOrderEventSource } from '#wiring/wiring.ts';

/**
 * The `<State>Failed` tasks of the lifecycle: a state's error was caught past its retries. The first
 * time, the failure is recorded on the order and published (`WorkOrder Lifecycle Failed`), and the
 * execution fails right here (LifecycleFailed), for the alarm and for a redrive. Redriven, this task
 * runs again, clears the failure and returns, and the ASL runs the failed state again.
 */
const inputSchema = z.object({
  orderId: z.string().min(1),
  executionArn: z.string().min(1),
  state: z.string().min(1),
  // What Catch puts at its ResultPath.
  failure: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
});

export const handler = workflowTask(inputSchema, async ({ orderId, executionArn, state, failure }) => {
  // A redrive raises the execution's count: that is how a rerun of this task is told from a new failure.
  const execution = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
  const stored = await requireOrder(orderId);
  const step = onLifecycleFailure(stored.order, {
    state,
    error: failure.Error ?? '',
    ...(failure.Cause ? { cause: failure.Cause } : {}),
    execution: execution.name ?? executionArn.split(':').at(-1) ?? executionArn,
    redriveCount: execution.redriveCount ?? 0,
    nowMs: clock.now(),
  });
  if (step.kind === 'resume') {
    await saveChange(stored, step.change);
    return { resumed: true };
  }
  const order = step.kind === 'record' ? (await saveChange(stored, step.change)).order : stored.order;
  // Published after it is saved, and again by a retry of this task: consumers take it at least once.
  const published = await eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: requireEnv(envNames.eventBus),
          Source: workOrderEventSource,
          DetailType: 'WorkOrder Lifecycle Failed',
          Detail: JSON.stringify(lifecycleFailedEventDetail(order, step.failure)),
        },
      ],
    }),
  );
  if (published.FailedEntryCount) {
    throw new Error(`PutEvents refused the event: ${published.Entries?.[0]?.ErrorCode ?? 'unknown'}`);
  }
  throw new LifecycleFailedError(orderId, step.failure);
});
