import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { isHotlineError } from '#domain/errors.ts';
import {
  type ApiEvent,
  expectedVersionOf,
  idempotencyKeyOf,
  json,
  withJsonBody,
} from '#shared/platform/http.ts';
import {
  foreignKeys,
  hostileJson,
  malformedBodies,
  nonJsonTypes,
  serialize,
} from '../../integration/fuzz-arbitraries.ts';
import apiEventJson from '../fixtures/api-event.json' with { type: 'json' };

/**
 * The HTTP plumbing every handler shares (functions/shared/platform/http.ts), fuzzed in process: whatever body,
 * content type and encoding arrive, the answer is the body passed on (200) or a 400/415 in the API's
 * error shape with one of its documented codes, never a 500; If-Match and Idempotency-Key are either
 * read or refused with a 400.
 */
const schema = z.strictObject({ note: z.string().max(10).optional() });
const received: unknown[] = [];
const handler = withJsonBody(schema, async (_event, body) => {
  received.push(body);
  return json(200, { ok: true });
});
const context = {} as Context;

const eventWith = (body: { contentType?: string; text?: string; base64: boolean }): ApiEvent => {
  const event = structuredClone(apiEventJson) as unknown as ApiEvent;
  event.headers = {
    host: 'api.hotline.test',
    ...(body.contentType !== undefined ? { 'content-type': body.contentType } : {}),
  };
  if (body.text === undefined) delete event.body;
  else event.body = body.base64 ? Buffer.from(body.text).toString('base64') : body.text;
  event.isBase64Encoded = body.base64;
  return event;
};

const contentTypes = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/problem+json',
    'application/json;',
  ),
  nonJsonTypes,
  fc.string({ maxLength: 30 }),
);
const bodies = fc.oneof(
  hostileJson.map(serialize),
  malformedBodies,
  fc.constantFrom('{}', '{"note":"ok"}', '{"note":"0123456789x"}', `{"${foreignKeys[0]}":{}}`),
  fc.constant(undefined),
);

describe('withJsonBody (shared/platform/http.ts)', () => {
  it('returns 200 with the parsed body, or a documented 400/415, for any body and content type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { contentType: contentTypes, text: bodies, base64: fc.boolean() },
          { requiredKeys: ['base64'] },
        ),
        async (body) => {
          // Prepare
          received.length = 0;

          // Act
          const result = await handler(eventWith(body), context);

          // Assess
          const answer = JSON.parse(result.body ?? 'null');
          if (result.statusCode === 200) {
            expect(received).toEqual([schema.parse(JSON.parse(body.text ?? ''))]);
          } else {
            expect([400, 415]).toContain(result.statusCode);
            expect(['MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE', 'VALIDATION_FAILED']).toContain(
              answer.error.code,
            );
            expect(typeof answer.error.message).toBe('string');
            expect(received).toEqual([]);
          }
        },
      ),
      { numRuns: 300, seed: 20261207 },
    );
  });
});

describe('expectedVersionOf and idempotencyKeyOf (shared/platform/http.ts)', () => {
  const headerValue = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.stringMatching(/^(W\/)?"?\d{1,25}"?$/),
    fc.stringMatching(/^[A-Za-z0-9._:-]{0,130}$/),
  );

  it('returns a version or undefined, or rejects with 400 INVALID_IF_MATCH, for any If-Match', () => {
    fc.assert(
      fc.property(headerValue, (value) => {
        // Prepare
        const event = eventWith({ base64: false });
        event.headers['if-match'] = value;

        // Act
        let outcome: unknown;
        try {
          outcome = expectedVersionOf(event);
        } catch (error) {
          outcome = error;
        }

        // Assess
        if (isHotlineError(outcome))
          expect([outcome.kind, outcome.code]).toEqual(['badRequest', 'INVALID_IF_MATCH']);
        else expect(Number.isInteger(outcome) && (outcome as number) >= 0).toBe(true);
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });

  it('returns the key, or rejects with 400 INVALID_IDEMPOTENCY_KEY, for any Idempotency-Key', () => {
    fc.assert(
      fc.property(headerValue, (value) => {
        // Prepare
        const event = eventWith({ base64: false });
        event.headers['idempotency-key'] = value;

        // Act
        let outcome: unknown;
        try {
          outcome = idempotencyKeyOf(event);
        } catch (error) {
          outcome = error;
        }

        // Assess
        if (isHotlineError(outcome))
          expect([outcome.kind, outcome.code]).toEqual(['badRequest', 'INVALID_IDEMPOTENCY_KEY']);
        else expect(outcome).toBe(value);
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });
});
