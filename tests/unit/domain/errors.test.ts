import { STATUS_CODES } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  ConcurrentUpdateError,
  type ErrorKind,
  errorKinds,
  HotlineError,
  isHotlineError,
  notFound,
} from '#domain/errors.ts';

/** `Not Found` → `notFound`, `Unprocessable Entity` → `unprocessable` (the kind drops "Entity"). */
const kindOfReasonPhrase = (phrase: string): string =>
  phrase
    .replace(/ Entity$/, '')
    .split(' ')
    .map((word, i) => (i === 0 ? word.toLowerCase() : word))
    .join('');

describe('errorKinds', () => {
  it('returns for each kind the HTTP status whose reason phrase (RFC 9110) the kind is named after', () => {
    // Act
    const named = Object.entries(errorKinds).map(([kind, status]) => [
      kind,
      kindOfReasonPhrase(STATUS_CODES[status] ?? ''),
    ]);

    // Assess: every kind is the camel-cased reason phrase of its status
    for (const [kind, fromPhrase] of named) expect(fromPhrase).toBe(kind);
  });

  it('returns client errors only (4xx): a server error is never a HotlineError, it stays a generic 500', () => {
    // Act
    const statuses = Object.values(errorKinds);

    // Assess
    expect(statuses.length).toBeGreaterThan(0);
    for (const status of statuses) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
  });
});

describe('HotlineError', () => {
  it('returns an Error named HotlineError with its kind, code, message, details and cause', () => {
    // Prepare
    const cause = new Error('the store said no');
    const details = [{ path: 'areaCode', code: 'UNKNOWN_AREA' }];

    // Act
    const error = new HotlineError('unprocessable', 'UNKNOWN_AREA', 'No area 990009.', details, { cause });

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('HotlineError');
    expect(error.kind).toBe('unprocessable');
    expect(error.code).toBe('UNKNOWN_AREA');
    expect(error.message).toBe('No area 990009.');
    expect(error.details).toBe(details);
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe('HotlineError: No area 990009.');
  });

  it('returns an error without details or cause when none is given', () => {
    // Act
    const error = new HotlineError('gone', 'LINK_USED', 'The link was used.');

    // Assess
    expect(error.details).toBeUndefined();
    expect('cause' in error).toBe(false);
  });
});

describe('isHotlineError', () => {
  it('returns true for a HotlineError and for its subclasses', () => {
    // Act / Assess
    expect(isHotlineError(new HotlineError('forbidden', 'NOT_YOURS', 'Not your order.'))).toBe(true);
    expect(isHotlineError(new ConcurrentUpdateError('WO1'))).toBe(true);
  });

  it('returns false for another error, and for a plain object that only looks like one', () => {
    // Prepare
    const lookalike = {
      name: 'HotlineError',
      kind: 'notFound',
      code: 'ORDER_NOT_FOUND',
      message: 'No order.',
    };

    // Act / Assess
    expect(isHotlineError(new Error('boom'))).toBe(false);
    expect(isHotlineError(lookalike)).toBe(false);
    expect(isHotlineError(undefined)).toBe(false);
  });
});

describe('ConcurrentUpdateError', () => {
  it('returns a 409 VERSION_CONFLICT that names the order and tells the caller to read it again', () => {
    // Act
    const error = new ConcurrentUpdateError('WO01KBAAAAAAAAAAAAAAAAAAAAAA');

    // Assess
    expect(error).toBeInstanceOf(HotlineError);
    expect(error.name).toBe('ConcurrentUpdate');
    expect(error.kind).toBe('conflict');
    expect(errorKinds[error.kind]).toBe(409);
    expect(error.code).toBe('VERSION_CONFLICT');
    expect(error.message).toBe(
      'Order WO01KBAAAAAAAAAAAAAAAAAAAAAA was changed by someone else; read it again.',
    );
    expect(error.details).toBeUndefined();
  });

  it('returns the cause it was given: the store error that lost the race', () => {
    // Prepare
    const cause = Object.assign(new Error('The conditional request failed'), {
      name: 'ConditionalCheckFailedException',
    });

    // Act
    const error = new ConcurrentUpdateError('WO1', { cause });

    // Assess
    expect(error.cause).toBe(cause);
  });
});

describe('notFound', () => {
  it('returns a 404 whose code is the upper-cased thing plus _NOT_FOUND and whose message names the id', () => {
    // Act
    const error = notFound('order', 'WO1');

    // Assess
    const kind: ErrorKind = 'notFound';
    expect(error).toBeInstanceOf(HotlineError);
    expect(error.kind).toBe(kind);
    expect(errorKinds[error.kind]).toBe(404);
    expect(error.code).toBe('ORDER_NOT_FOUND');
    expect(error.message).toBe('No order with id WO1.');
  });

  it('returns the thing as given in the message, upper-cased only in the code', () => {
    // Act
    const error = notFound('Unit', 'st-110101001');

    // Assess
    expect(error.code).toBe('UNIT_NOT_FOUND');
    expect(error.message).toBe('No Unit with id st-110101001.');
  });
});
