import { AwsServiceError } from '../aws-errors.ts';

/**
 * EventBridge's request validation as its API answers it: a ValidationException listing every member
 * that breaks the model's constraints ("2 validation errors detected: Value 'x' at 'name' failed to
 * satisfy constraint: Member must satisfy regular expression pattern: [\.\-_A-Za-z0-9]+; ..."), the
 * member named by its wire path in lower camel case (`targets.1.member.id`).
 */
export class Constraints {
  private readonly problems: string[] = [];

  /** A required member that is missing or not a string breaks "Member must not be null". */
  string(
    value: unknown,
    at: string,
    rule: { min?: number; max?: number; pattern?: RegExp; required?: boolean; sensitive?: boolean },
  ): value is string {
    if (value === undefined || value === null) {
      if (rule.required)
        this.problems.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      return false;
    }
    if (typeof value !== 'string') {
      this.problems.push(`Value at '${at}' failed to satisfy constraint: Member must be a string`);
      return false;
    }
    const before = this.problems.length;
    // A sensitive member (an API key, a password) is not echoed, as AWS redacts it.
    const shown = rule.sensitive ? '*** Sensitive Data Redacted ***' : value;
    if (rule.min !== undefined && value.length < rule.min)
      this.problems.push(
        `Value '${shown}' at '${at}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`,
      );
    if (rule.max !== undefined && value.length > rule.max)
      this.problems.push(
        `Value '${shown}' at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`,
      );
    if (rule.pattern && !rule.pattern.test(value))
      this.problems.push(
        `Value '${shown}' at '${at}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${patternText(rule.pattern)}`,
      );
    return this.problems.length === before;
  }

  integer(value: unknown, at: string, rule: { min?: number; max?: number }): value is number {
    if (value === undefined || value === null) return false;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.problems.push(
        `Value '${String(value)}' at '${at}' failed to satisfy constraint: Member must be an integer`,
      );
      return false;
    }
    const before = this.problems.length;
    if (rule.min !== undefined && value < rule.min)
      this.problems.push(
        `Value '${value}' at '${at}' failed to satisfy constraint: Member must have value greater than or equal to ${rule.min}`,
      );
    if (rule.max !== undefined && value > rule.max)
      this.problems.push(
        `Value '${value}' at '${at}' failed to satisfy constraint: Member must have value less than or equal to ${rule.max}`,
      );
    return this.problems.length === before;
  }

  oneOf<T extends string>(value: unknown, at: string, values: readonly T[], required = false): value is T {
    if (value === undefined || value === null) {
      if (required)
        this.problems.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      return false;
    }
    if (!values.includes(value as T)) {
      this.problems.push(
        `Value '${String(value)}' at '${at}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
      );
      return false;
    }
    return true;
  }

  list(
    value: unknown,
    at: string,
    rule: { min?: number; max?: number; required?: boolean },
  ): value is unknown[] {
    if (value === undefined || value === null) {
      if (rule.required)
        this.problems.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      return false;
    }
    if (!Array.isArray(value)) {
      this.problems.push(`Value at '${at}' failed to satisfy constraint: Member must be a list`);
      return false;
    }
    const before = this.problems.length;
    if (rule.min !== undefined && value.length < rule.min)
      this.problems.push(
        `Value '[…]' at '${at}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.min}`,
      );
    if (rule.max !== undefined && value.length > rule.max)
      this.problems.push(
        `Value '[…]' at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`,
      );
    return this.problems.length === before;
  }

  map(value: unknown, at: string, rule: { max?: number } = {}): value is Record<string, unknown> {
    if (value === undefined || value === null) return false;
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.problems.push(`Value at '${at}' failed to satisfy constraint: Member must be a map`);
      return false;
    }
    if (rule.max !== undefined && Object.keys(value).length > rule.max) {
      this.problems.push(
        `Value '{…}' at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${rule.max}`,
      );
      return false;
    }
    return true;
  }

  object(value: unknown, at: string, required = false): value is Record<string, unknown> {
    if (value === undefined || value === null) {
      if (required)
        this.problems.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      return false;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.problems.push(`Value at '${at}' failed to satisfy constraint: Member must be a structure`);
      return false;
    }
    return true;
  }

  /** Throws the ValidationException when a constraint failed. */
  check(): void {
    const count = this.problems.length;
    if (count === 0) return;
    throw validation(
      `${count} validation error${count > 1 ? 's' : ''} detected: ${this.problems.join('; ')}`,
    );
  }
}

/** The pattern as the model writes it, without the anchors (the services quote it that way). */
const patternText = (pattern: RegExp): string => pattern.source.replace(/^\^/, '').replace(/\$$/, '');

export const validation = (message: string) => new AwsServiceError('ValidationException', message, 400);

export const notFound = (message: string) => new AwsServiceError('ResourceNotFoundException', message, 400);

export const alreadyExists = (message: string) =>
  new AwsServiceError('ResourceAlreadyExistsException', message, 400);

export const limitExceeded = (message: string) => new AwsServiceError('LimitExceededException', message, 400);

// ---- the model's patterns (com.amazonaws.eventbridge, @aws-sdk/client-eventbridge's service model) ----

/** ConnectionName, ApiDestinationName, RuleName, TargetId. */
export const NAME = /^[.\-_A-Za-z0-9]+$/;
/** EventBusNameOrArn. */
export const EVENT_BUS_NAME_OR_ARN =
  /^(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/.\-_A-Za-z0-9]+$/;
export const CONNECTION_ARN =
  /^arn:aws([a-z]|-)*:events:([a-z]|\d|-)*:([0-9]{12})?:connection\/[.\-_A-Za-z0-9]+\/[-A-Za-z0-9]+$/;
export const API_DESTINATION_ARN =
  /^arn:aws([a-z]|-)*:events:([a-z]|\d|-)*:([0-9]{12})?:api-destination\/[.\-_A-Za-z0-9]+\/[-A-Za-z0-9]+$/;
/** HttpsEndpoint (InvocationEndpoint). */
export const HTTPS_ENDPOINT = /^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+)([).!';/?:,])?$/;
/** AuthHeaderParameters(Sensitive): API key names and values, Basic user names and passwords. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the model's pattern excludes control characters.
export const AUTH_HEADER = /^[ \t]*[^\x00-\x1F:\x7F]+([ \t]+[^\x00-\x1F:\x7F]+)*[ \t]*$/;
export const HEADER_KEY = /^[!#$%&'*+-.^_`|~0-9a-zA-Z]+$/;
export const HEADER_VALUE = /^[ \t]*[\x20-\x7E]+([ \t]+[\x20-\x7E]+)*[ \t]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the model's pattern excludes control characters.
export const QUERY_KEY = /^[^\x00-\x1F\x7F]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the model's pattern excludes control characters.
export const QUERY_VALUE = /^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F]+$/;
/** PathParameter: not blank. */
export const PATH_PARAMETER = /^(?!\s*$).+$/;
/** InputTransformerPathKey. */
export const TRANSFORMER_KEY = /^[A-Za-z0-9_-]+$/;
