import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, bodyOf, lambdaContext, mockedAws } from './support.ts';

/**
 * An order id longer than any key DynamoDB takes. DynamoDB refuses a partition key over 2048 bytes with
 * a ValidationException ("Size of hashkey has exceeded the maximum size limit of2048 bytes"), in a Query
 * as in a write; DynamoDB Local does not, so only a mock of AWS's behaviour shows the 500 it caused.
 */
const context = lambdaContext('get-order');
const { ddb } = mockedAws();

let getOrder: typeof import('../../../functions/api/get-order.ts')['handler'];
let timeline: typeof import('../../../functions/api/order-timeline.ts')['handler'];

beforeAll(async () => {
  ({ handler: getOrder } = await import('../../../functions/api/get-order.ts'));
  ({ handler: timeline } = await import('../../../functions/api/order-timeline.ts'));
});

/** DynamoDB as AWS documents it: no partition key over 2048 bytes, no item otherwise. */
const refuseOversizedKeys = () =>
  ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => {
    const pk = String(input.ExpressionAttributeValues?.[':pk'] ?? '');
    if (Buffer.byteLength(pk, 'utf8') > 2048)
      throw Object.assign(
        new Error(
          'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes',
        ),
        { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } },
      );
    return Promise.resolve({ Items: [], Count: 0 });
  });

const auditor = { sub: 'aud', role: 'auditor' };

describe('an order id over DynamoDB key size (get-order, order-timeline)', () => {
  it.each([
    ['ASCII', 'A'.repeat(3000)],
    ['multi-byte', '中'.repeat(700)],
  ])('returns 404 ORDER_NOT_FOUND, not 500, for a %s id over 2048 bytes', async (_kind, id) => {
    // Prepare
    refuseOversizedKeys();

    // Act
    const read = await getOrder(
      apiEvent({ routeKey: 'GET /orders/{id}', pathParameters: { id }, claims: auditor }),
      context,
    );
    const events = await timeline(
      apiEvent({ routeKey: 'GET /orders/{id}/timeline', pathParameters: { id }, claims: auditor }),
      context,
    );

    // Assess
    for (const result of [read, events]) {
      expect(result.statusCode).toBe(404);
      expect(bodyOf(result).error).toMatchObject({ code: 'ORDER_NOT_FOUND' });
    }
  });
});
