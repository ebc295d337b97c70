/**
 * Test support for the store tests (not a test file itself): DynamoDB mocked (the handler tests' way,
 * tests/unit/handlers/support.ts, which also sets TABLE_NAME before a store module loads), the errors
 * DynamoDB answers a lost race with, and what a refused call threw.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { expect } from 'vitest';
import { callbackEnvironment, mockedAws } from '../handlers/support.ts';

export { TABLE } from '../handlers/support.ts';
export const OUTBOX = callbackEnvironment.OUTBOX_TABLE_NAME;

/** Call at the top level of a store test, before its `beforeAll` imports the store. */
export const mockedTable = (): AwsClientStub<DynamoDBDocumentClient> => {
  const { ddb } = mockedAws();
  process.env.OUTBOX_TABLE_NAME = OUTBOX;
  return ddb;
};

/** A transaction DynamoDB cancelled, with one reason per item ('None' for the items that were fine). */
export const cancelled = (...codes: string[]): TransactionCanceledException =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

/** A single write whose condition failed. */
export const conditionFailed = (): ConditionalCheckFailedException =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** What a call rejected with (fails the test when it resolved). */
export const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the call to be refused');
};
