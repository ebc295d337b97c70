import middy from '@middy/core';
import type * as z from 'zod';
import { notFound } from '#domain/errors.ts';
import { logger } from '#shared/platform/logger.ts';
import { readOrder, type StoredOrder } from '#shared/stores/order-store.ts';

/**
 * A task the state machine calls (lambda:invoke). Its payload is parsed by a schema; errors are left to
 * propagate, so they appear in the execution history and the ASL's Retry/Catch decide what follows.
 */
export const workflowTask = <S extends z.ZodType, R>(schema: S, fn: (input: z.infer<S>) => Promise<R>) =>
  middy<unknown, R>()
    .before(async (request) => {
      logger.appendKeys({ task: request.context.functionName });
    })
    .handler(async (event) => {
      const input = schema.parse(event);
      // A task token is a bearer credential for the waiting task: never in the logs.
      const { taskToken: _secret, ...loggable } = input as Record<string, unknown>;
      logger.info('Workflow task', { input: loggable });
      return fn(input);
    });

export const requireOrder = async (orderId: string): Promise<StoredOrder> => {
  const stored = await readOrder(orderId);
  if (!stored) throw notFound('order', orderId);
  return stored;
};
