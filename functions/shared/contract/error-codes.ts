import { type ErrorKind, errorKinds } from '#domain/errors.ts';

/**
 * Every `error.code` the API answers with, its status and what it means: the API document lists them
 * (openapi.ts), and a test scans functions/ for the codes thrown so that none goes undocumented
 * (tests/unit/contract/error-codes.test.ts). Besides the HotlineError kinds, the HTTP layer's own
 * answers (shared/platform/http.ts): `transport` codes.
 */
type Status = ErrorKind | 'internal';
interface ErrorCode {
  readonly kind: Status;
  readonly description: string;
}

const code = (kind: Status, description: string): ErrorCode => ({ kind, description });

export const errorCodes = {
  // the request itself
  VALIDATION_FAILED: code(
    'badRequest',
    'The query, path or body does not match the schema; `details` lists each problem',
  ),
  MALFORMED_JSON: code('badRequest', 'The body is not valid JSON'),
  BAD_REQUEST: code('badRequest', 'The request could not be read'),
  UNSUPPORTED_MEDIA_TYPE: code('unsupportedMediaType', 'The body is not in a media type the route takes'),
  INVALID_IDEMPOTENCY_KEY: code(
    'badRequest',
    'Idempotency-Key is not 1 to 128 of letters, digits and . _ : -',
  ),
  INVALID_IF_MATCH: code('badRequest', 'If-Match is not the ETag of an order'),
  INVALID_CURSOR: code('badRequest', 'cursor is not one this listing handed out'),
  INVALID_NEXT_TOKEN: code('badRequest', 'nextToken is not one this history handed out'),
  INVALID_RANGE: code('badRequest', 'createdFrom is after createdTo'),
  RANGE_TOO_LONG: code('badRequest', 'The listing spans more than 366 days'),
  EXTENSION_DAYS: code('badRequest', 'An extension asks for whole days within the allowed range'),
  IDEMPOTENCY_KEY_REUSED: code(
    'unprocessable',
    'The Idempotency-Key was used before for a different request',
  ),
  INTERNAL_ERROR: code('internal', 'Something failed on our side; it is logged (never with personal data)'),
  // who is asking
  NO_ROLE: code('forbidden', 'The token carries no known role'),
  NO_UNIT: code('forbidden', 'A unit token must name its unit (claim unit_id)'),
  ROLE_NOT_ALLOWED: code('forbidden', "The token's role may not call this route"),
  ROLE_SCOPE_MISMATCH: code('forbidden', "The token's role claim is not among its scopes"),
  ROUTE_UNKNOWN: code('forbidden', 'The route is not in the wiring table'),
  CENTRE_ONLY: code('forbidden', 'Only the centre (a dispatcher or a supervisor) does this'),
  SUPERVISOR_ONLY: code('forbidden', 'Only a supervisor does this'),
  OTHER_UNIT: code('forbidden', "A unit's staff act on and read their own unit only"),
  NOT_LEAD_UNIT: code('forbidden', 'Only the lead unit of the order does this (首接负责)'),
  NOT_CO_HANDLER: code('forbidden', 'Only a co-handling unit of the order does this'),
  NOT_HANDLING_UNIT: code('forbidden', 'Only a unit handling the order does this'),
  NOT_A_STREET: code('forbidden', 'Only a street or township summons departments (吹哨报到)'),
  CONTACT_NOT_READABLE: code(
    'forbidden',
    "The caller may see this requester's contact only masked, or not at all",
  ),
  // what is asked for
  ORDER_NOT_FOUND: code('notFound', 'No such order, or none this caller may see'),
  UNIT_NOT_FOUND: code('notFound', 'No such unit'),
  SUBSCRIPTION_NOT_FOUND: code('notFound', 'No such push subscription of this unit'),
  INVALID_ENDPOINT: code(
    'unprocessable',
    'The endpoint is not an https:// URL EventBridge API destinations take',
  ),
  TOO_MANY_SUBSCRIPTIONS: code('conflict', 'The unit has as many push subscriptions as it may'),
  EXECUTION_NOT_FOUND: code(
    'notFound',
    "Step Functions no longer has the round's execution (kept 90 days after it ends)",
  ),
  ROUND_NOT_FOUND: code('notFound', 'The order has fewer handling rounds'),
  CATALOGUE_LINE_NOT_FOUND: code('notFound', 'No catalogue line for that category and place'),
  INSIGHT_NOT_COMPUTED: code('notFound', 'The mining has not computed that insight (yet)'),
  KEY_NOT_FOUND: code('notFound', 'No such Open311 key'),
  NO_CONTACT: code('notFound', 'The requester left no contact, or it was erased (retention)'),
  SURVEY_LINK_UNKNOWN: code('notFound', 'No such survey link'),
  ROUTE_NOT_FOUND: code('notFound', 'No such resource under this route'),
  UNKNOWN_ACTION: code('notFound', 'No such action on an order'),
  SURVEY_LINK_USED_OR_EXPIRED: code('gone', 'The survey link was used or has expired'),
  // the state of things
  VERSION_CONFLICT: code(
    'conflict',
    'Changed by someone else meanwhile (or If-Match is stale): read it again',
  ),
  ACTION_NOT_ALLOWED: code(
    'conflict',
    "The order's status does not allow this action; `details` says which do",
  ),
  ALREADY_CONTACTED: code('conflict', 'The first contact with the requester is already recorded'),
  EXTENSION_PENDING: code('conflict', 'An extension request already waits for a decision'),
  NO_EXTENSION_PENDING: code('conflict', 'No extension request waits for a decision'),
  EXTENSION_LIMIT: code('conflict', 'The order has had all the extension requests it may'),
  NO_DEADLINE: code('conflict', 'The order has no resolution deadline to extend'),
  CALLBACK_NOT_OPEN: code('conflict', "The order's call-back is not open"),
  NOT_ASSESSED: code('conflict', 'The order does not count in an assessment'),
  APPEAL_PENDING: code('conflict', 'An appeal already waits for a decision'),
  NO_APPEAL_PENDING: code('conflict', 'No appeal waits for a decision'),
  // what the request names
  UNKNOWN_CATEGORY: code('unprocessable', 'No such category'),
  UNKNOWN_DISTRICT: code('unprocessable', 'No such district'),
  UNKNOWN_STREET: code('unprocessable', 'No such street or township'),
  STREET_NOT_IN_DISTRICT: code('unprocessable', 'The street is not in the district given'),
  INVALID_REFERENCES: code('unprocessable', 'Several references are wrong; `details` lists them'),
  ORIGINAL_ORDER_NOT_FOUND: code('unprocessable', 'A `repeat` names an order that does not exist'),
  UNKNOWN_UNIT: code('unprocessable', 'No such unit'),
  UNKNOWN_AREA: code('unprocessable', 'No such area'),
  MANUAL_CATEGORY: code('unprocessable', 'The category is dispatched by hand, not by the catalogue'),
  DUPLICATE_CO_HANDLER: code('unprocessable', 'A co-handling unit is named twice'),
  LEAD_AS_CO_HANDLER: code('unprocessable', 'The lead unit is named as a co-handler'),
  INVALID_CATALOGUE_ENTRY: code(
    'unprocessable',
    'Several parts of the catalogue line are wrong; `details` lists them',
  ),
  NO_NEW_CO_HANDLER: code('unprocessable', 'Every unit named already co-handles the order'),
  SAME_UNIT: code('unprocessable', 'The order is already with that unit'),
  CONTACT_BEFORE_DISPATCH: code(
    'unprocessable',
    'The first contact is dated before the order was dispatched',
  ),
  CONTACT_IN_FUTURE: code('unprocessable', 'The first contact is dated in the future'),
} as const satisfies Record<string, ErrorCode>;

export type ErrorCodeName = keyof typeof errorCodes;

/** HTTP status by kind: the domain's own (domain/errors.ts `errorKinds`) and the HTTP layer's 500. */
export const statusOfKind: Readonly<Record<Status, number>> = { ...errorKinds, internal: 500 };
