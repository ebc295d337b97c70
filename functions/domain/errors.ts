/**
 * The one error hierarchy of the system. Domain code throws these; the HTTP layer maps `kind` to a
 * status code in one place (functions/shared/platform/http.ts). `code` is machine-readable and stable.
 */
export const errorKinds = {
  badRequest: 400,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  gone: 410,
  unsupportedMediaType: 415,
  unprocessable: 422,
} as const;
export type ErrorKind = keyof typeof errorKinds;

export class HotlineError extends Error {
  override readonly name: string = 'HotlineError';
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isHotlineError = (error: unknown): error is HotlineError => error instanceof HotlineError;

/** Optimistic concurrency lost: somebody changed the order since it was read. */
export class ConcurrentUpdateError extends HotlineError {
  override readonly name = 'ConcurrentUpdate';
  constructor(orderId: string, options?: { cause?: unknown }) {
    super(
      'conflict',
      'VERSION_CONFLICT',
      `Order ${orderId} was changed by someone else; read it again.`,
      undefined,
      options,
    );
  }
}

export const notFound = (what: string, id: string): HotlineError =>
  new HotlineError('notFound', `${what.toUpperCase()}_NOT_FOUND`, `No ${what} with id ${id}.`);
