import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { stepFunctions } from './aws-clients.ts';
import { stateMachineArn } from './config.ts';

const STATE_MACHINE_ARN = stateMachineArn();

/** The input of a work-order execution: the order id only; the order itself lives in DynamoDB. */
export interface LifecycleInput {
  readonly orderId: string;
}

/**
 * Starts the order's lifecycle: one Standard execution named by the order id. Starting it again with
 * the same input is a no-op on Step Functions' side (idempotent), which is what makes an intake retry
 * safe; an execution of that name that already ended is also fine.
 */
export const startLifecycle = async (orderId: string): Promise<string> => {
  const input: LifecycleInput = { orderId };
  try {
    const result = await stepFunctions.send(
      new StartExecutionCommand({
        stateMachineArn: STATE_MACHINE_ARN,
        name: orderId,
        input: JSON.stringify(input),
      }),
    );
    return result.executionArn ?? executionArnOf(orderId);
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return executionArnOf(orderId);
    throw error;
  }
};

/** The execution ARN of an order: the state machine ARN with `execution` and the order id. */
export const executionArnOf = (orderId: string): string =>
  `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${orderId}`;
