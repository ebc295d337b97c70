/** An error the local AWS services answer with, as AWS's JSON protocols carry it: `__type` and message. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    /** Members the service adds to the error body (Athena's `AthenaErrorCode`, for one). */
    readonly fields: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = code;
  }
}
