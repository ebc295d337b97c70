import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { stepFunctions } from '#shared/platform/aws-clients.ts';
import { logger } from '#shared/platform/logger.ts';

/** Errors meaning the waiting task is gone: it timed out, or the execution moved on or ended. */
const goneTaskErrors = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/**
 * Completes a waiting callback task with the action's payload, which then shows in the execution
 * history. The order was already saved: if the task is gone (a deadline fired at the same moment) or
 * Step Functions cannot be reached, the workflow's next step reads the saved order and carries on from
 * it, so the caller is not told of a failure.
 */
export const completeWaitingTask = async (
  token: string,
  output: Record<string, unknown>,
): Promise<'completed' | 'gone' | 'failed'> => {
  try {
    await stepFunctions.send(
      new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }),
    );
    return 'completed';
  } catch (error) {
    if (error instanceof Error && goneTaskErrors.has(error.name)) {
      logger.warn('Waiting task already gone; the workflow reconciles from the saved order', {
        error: error.name,
      });
      return 'gone';
    }
    // The action is saved and the caller must hear so; the caller keeps the token for the next action
    // or checkpoint. Logged as an error so that an alarm can see it.
    logger.error('Could not complete the waiting task; it stays waiting', { error: error as Error });
    return 'failed';
  }
};
