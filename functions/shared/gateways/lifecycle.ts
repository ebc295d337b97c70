import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type ExecutionStatus,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { stepFunctions } from '#shared/platform/aws-clients.ts';
import { stateMachineArn } from '#shared/platform/config.ts';

const STATE_MACHINE_ARN = stateMachineArn();

/** The input of a work-order execution: the order id (and its handling round); the order lives in DynamoDB. */
export interface LifecycleInput {
  readonly orderId: string;
  readonly round?: number;
}

/**
 * The execution of a handling round: the order id for the first, `<id>-r<n>` for the round an unhappy
 * call-back reopened. One execution per round keeps each round's history whole and short, and the
 * name links it to the order (see docs/design.md).
 */
export const executionNameOf = (orderId: string, round = 1): string =>
  round === 1 ? orderId : `${orderId}-r${round}`;

/**
 * Starts a round's lifecycle: one Standard execution named by the order (and round). Starting it again
 * with the same input is a no-op on Step Functions' side (idempotent), which is what makes an intake
 * retry safe; an execution of that name that already ended is also fine.
 */
export const startLifecycle = async (orderId: string, round = 1): Promise<string> => {
  await startLifecycleExecution(orderId, round);
  return executionArnOf(orderId, round);
};

/**
 * StartExecution of a round, saying whether it was this call that made the execution: `started`, or
 * `exists` when Step Functions refused the name (ExecutionAlreadyExists: an execution of that name
 * ended, or runs with another input). A running one with the same input also answers as started —
 * AWS's idempotent StartExecution cannot tell — so a healer asks `lifecycleStatusOf` first.
 */
export const startLifecycleExecution = async (orderId: string, round = 1): Promise<'started' | 'exists'> => {
  const input: LifecycleInput = round === 1 ? { orderId } : { orderId, round };
  const name = executionNameOf(orderId, round);
  try {
    await stepFunctions.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name, input: JSON.stringify(input) }),
    );
    return 'started';
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return 'exists';
    throw error;
  }
};

/** The status of a round's execution (DescribeExecution), or undefined when it was never started. */
export const lifecycleStatusOf = async (orderId: string, round = 1): Promise<ExecutionStatus | undefined> => {
  try {
    const described = await stepFunctions.send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(orderId, round) }),
    );
    return described.status;
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return undefined;
    throw error;
  }
};

/** The execution ARN of an order's round: the state machine ARN with `execution` and its name. */
export const executionArnOf = (orderId: string, round = 1): string =>
  `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${executionNameOf(orderId, round)}`;
