/** An error the local AWS services answer with, as AWS's JSON protocols carry it: `__type` and message. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}
