import * as z from 'zod';
import type { RouteContract } from './routes.ts';

/**
 * The Open311 GeoReport v2 routes in the API document (docs/open311.md). Their inputs follow the spec,
 * not our JSON conventions: form-encoded POSTs with `attribute[code]` fields, read by
 * domain/open311-intake.ts, and query filters read by domain/open311-query.ts; what is listed here
 * describes those readers' fields. The answers come as `.json` (these schemas) or `.xml` (the same
 * document as XML), and errors as the spec's list of `{ code, description }`.
 */
const text = z.string();
const w3cTime = z.string().meta({ description: 'A W3C time with its offset (+08:00)' });

export const open311Error = z
  .array(z.looseObject({ code: text, description: text }))
  .meta({ id: 'Open311Errors', description: "GeoReport v2's error list" });

const service = z
  .looseObject({
    service_code: text,
    service_name: text,
    description: text.nullable(),
    metadata: z.boolean(),
    type: z.enum(['realtime', 'batch', 'blackbox']),
    keywords: text.nullable(),
    group: text.nullable(),
  })
  .meta({ id: 'Open311Service' });

const serviceDefinition = z
  .looseObject({
    service_code: text,
    attributes: z.array(
      z.looseObject({
        variable: z.boolean(),
        code: text,
        datatype: z.enum(['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist']),
        required: z.boolean(),
        datatype_description: text.nullable(),
        order: z.number().int(),
        description: text,
        values: z.array(z.looseObject({ key: text, name: text })).optional(),
      }),
    ),
  })
  .meta({ id: 'Open311ServiceDefinition' });

const serviceRequest = z
  .looseObject({
    service_request_id: text,
    status: z.enum(['open', 'closed']),
    status_notes: text.nullable(),
    service_name: text.nullable(),
    service_code: text,
    description: text
      .nullable()
      .meta({ description: 'Phone numbers, ID numbers and e-mail addresses redacted' }),
    agency_responsible: text.nullable(),
    service_notice: text.nullable(),
    requested_datetime: w3cTime,
    updated_datetime: w3cTime.nullable(),
    expected_datetime: w3cTime.nullable(),
    address: text.nullable(),
    address_id: text.nullable(),
    zipcode: text.nullable(),
    lat: z.number().nullable(),
    long: z.number().nullable(),
    media_url: text.nullable(),
  })
  .meta({
    id: 'Open311ServiceRequest',
    description: 'An order as a service request: nothing of the requester',
  });

/** A POST's answer: `service_request_id` or `token`, never both. */
const requestFiled = z.array(
  z.union([
    z.looseObject({ service_request_id: text, service_notice: text.nullable(), account_id: text.nullable() }),
    z.looseObject({ token: text, service_notice: text.nullable(), account_id: text.nullable() }),
  ]),
);

const discovery = z.looseObject({
  changeset: w3cTime,
  contact: text,
  key_service: text,
  endpoints: z.array(
    z.looseObject({ specification: text, url: text, changeset: w3cTime, type: text, formats: z.array(text) }),
  ),
});

const formatted = (names: readonly string[]) =>
  z.string().regex(new RegExp(`^(${names.join('|')})\\.(xml|json)$`));
const common = {
  jurisdiction_id: z.string().optional().meta({ description: 'This city only; another is a 404' }),
  api_key: z.string().optional().meta({ description: "The app's key: required to POST and for tokens" }),
};

/** GET requests.{format}'s filters (domain/open311-query.ts). */
export const requestsQuery = z.strictObject({
  ...common,
  service_request_id: z
    .string()
    .optional()
    .meta({ description: 'Comma-separated ids; overrides the other filters' }),
  service_code: z.string().optional(),
  start_date: w3cTime.optional(),
  end_date: w3cTime
    .optional()
    .meta({ description: 'At most 90 days after start_date; the default window is the last 90 days' }),
  status: z.enum(['open', 'closed']).optional(),
});

/** POST requests.{format}'s form (domain/open311-intake.ts). */
export const requestForm = z
  .looseObject({
    ...common,
    api_key: z.string(),
    service_code: text,
    lat: z.number().optional(),
    long: z.number().optional(),
    address_string: text.optional(),
    address_id: text
      .optional()
      .meta({ description: 'Not kept by this city: a 400 asks for lat/long or address_string' }),
    email: text.optional(),
    device_id: text.optional(),
    account_id: text.optional(),
    first_name: text.optional(),
    last_name: text.optional(),
    phone: text.optional(),
    description: z.string().max(4000),
    media_url: text.optional(),
  })
  .meta({ description: 'Also `attribute[<code>]` fields, as the service definition lists them' });

const open311 = (contract: Omit<RouteContract, 'tag' | 'special'>): RouteContract => ({
  ...contract,
  tag: 'Open311 GeoReport v2',
  special: 'open311',
});

export const routeContracts: Readonly<Record<string, RouteContract>> = {
  'GET /open311/v2/{document}': open311({
    summary: 'discovery, services or requests, as .xml or .json',
    description:
      '`discovery.{format}`: the endpoint; `services.{format}`: the service list; `requests.{format}`: service requests, filtered (GeoReport v2 GET Service Requests).',
    query: requestsQuery,
    params: {
      document: {
        description: 'discovery.xml|json, services.xml|json or requests.xml|json',
        schema: formatted(['discovery', 'services', 'requests']),
      },
    },
    ok: {
      status: 200,
      description: 'The document',
      schema: z.union([discovery, z.array(service), z.array(serviceRequest)]),
    },
    errors: [],
  }),
  'POST /open311/v2/{document}': open311({
    summary: 'File a service request (requests.xml or requests.json), form-encoded',
    description:
      'A normal work order (channel open311, the app named) that goes through the whole loop. An Idempotency-Key makes a retry answer the first request.',
    body: requestForm,
    params: { document: { description: 'requests.xml or requests.json', schema: formatted(['requests']) } },
    ok: { status: 201, description: 'Filed', schema: requestFiled, headers: ['Idempotent-Replayed'] },
    errors: [],
    headers: ['Idempotency-Key'],
  }),
  'GET /open311/v2/services/{file}': open311({
    summary: "A service's definition: its attributes, from our taxonomy and intake fields",
    query: z.strictObject(common),
    params: { file: { description: '<service_code>.xml or .json' } },
    ok: { status: 200, description: 'The definition', schema: serviceDefinition },
    errors: [],
  }),
  'GET /open311/v2/requests/{file}': open311({
    summary: 'One service request',
    query: z.strictObject(common),
    params: { file: { description: '<service_request_id>.xml or .json' } },
    ok: { status: 200, description: 'A list of one request', schema: z.array(serviceRequest) },
    errors: [],
  }),
  'GET /open311/v2/tokens/{file}': open311({
    summary: "A token's service request id, for the app that filed it",
    query: z.strictObject({ ...common, api_key: z.string() }),
    params: { file: { description: '<token>.xml or .json' } },
    ok: {
      status: 200,
      description: 'The token and its service request id',
      schema: z.array(z.looseObject({ token: text, service_request_id: text.nullable() })),
    },
    errors: [],
  }),
};

/** The statuses an Open311 route answers errors with, as the spec has them (and a rate limit). */
export const open311ErrorStatuses = {
  400: 'A field is missing or wrong (the list says which)',
  403: 'api_key missing where required, or not a key of ours',
  404: 'No such resource, service, request, token or jurisdiction',
  429: 'More requests this minute than the key allows (Retry-After)',
} as const;
