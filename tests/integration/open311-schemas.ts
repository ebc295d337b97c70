/**
 * JSON Schemas (draft-07) of the GeoReport v2 JSON answers, written here from the spec's field tables
 * (wiki.open311.org/GeoReport_v2, Service_Discovery): what each document must hold, in the types the
 * spec gives. They follow the same requirements as the Open311 project's own schemas
 * (github.com/open311/schema-validation, schema/georeport-v2), which carry no licence to copy them by;
 * ours are stricter where the spec is: times must be W3C with their offset, `status` open|closed, a
 * POST answer has `service_request_id` or `token`, never both.
 */
const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const w3cTime = { type: 'string', format: 'date-time', pattern: '(Z|[+-]\\d{2}:\\d{2})$' };

export const serviceSchema = {
  type: 'object',
  required: ['service_code', 'service_name', 'metadata', 'type'],
  properties: {
    service_code: { type: 'string', minLength: 1 },
    service_name: { type: 'string', minLength: 1 },
    description: nullable({ type: 'string' }),
    metadata: { type: 'boolean' },
    type: { enum: ['realtime', 'batch', 'blackbox'] },
    keywords: nullable({ type: 'string' }),
    group: nullable({ type: 'string' }),
  },
};

export const servicesSchema = { type: 'array', items: serviceSchema };

export const serviceDefinitionSchema = {
  type: 'object',
  required: ['service_code', 'attributes'],
  properties: {
    service_code: { type: 'string' },
    attributes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['variable', 'code', 'datatype', 'required', 'order', 'description'],
        properties: {
          variable: { type: 'boolean' },
          code: { type: 'string', minLength: 1 },
          datatype: { enum: ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] },
          required: { type: 'boolean' },
          datatype_description: nullable({ type: 'string' }),
          order: { type: 'integer', minimum: 1 },
          description: { type: 'string' },
          values: {
            type: 'array',
            items: {
              type: 'object',
              required: ['key', 'name'],
              properties: { key: { type: 'string' }, name: { type: 'string' } },
            },
          },
        },
      },
    },
  },
};

export const requestSchema = {
  type: 'object',
  required: ['service_request_id', 'status', 'service_code', 'requested_datetime'],
  additionalProperties: false,
  properties: {
    service_request_id: { type: 'string', minLength: 1 },
    status: { enum: ['open', 'closed'] },
    status_notes: nullable({ type: 'string' }),
    service_name: nullable({ type: 'string' }),
    service_code: { type: 'string' },
    description: nullable({ type: 'string', maxLength: 4000 }),
    agency_responsible: nullable({ type: 'string' }),
    service_notice: nullable({ type: 'string' }),
    requested_datetime: w3cTime,
    updated_datetime: nullable(w3cTime),
    expected_datetime: nullable(w3cTime),
    address: nullable({ type: 'string' }),
    address_id: nullable({ type: 'string' }),
    zipcode: nullable({ type: 'string' }),
    lat: nullable({ type: 'number', minimum: -90, maximum: 90 }),
    long: nullable({ type: 'number', minimum: -180, maximum: 180 }),
    media_url: nullable({ type: 'string', format: 'uri' }),
  },
};

export const requestsSchema = { type: 'array', items: requestSchema };

export const postAnswerSchema = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    oneOf: [
      { required: ['service_request_id'], not: { required: ['token'] } },
      { required: ['token'], not: { required: ['service_request_id'] } },
    ],
    properties: {
      service_request_id: { type: 'string' },
      token: { type: 'string' },
      service_notice: nullable({ type: 'string' }),
      account_id: nullable({ type: 'string' }),
    },
  },
};

export const tokenAnswerSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['service_request_id', 'token'],
    properties: { service_request_id: { type: 'string' }, token: { type: 'string' } },
  },
};

export const discoverySchema = {
  type: 'object',
  required: ['changeset', 'contact', 'key_service', 'endpoints'],
  properties: {
    changeset: { type: 'string' },
    contact: { type: 'string' },
    key_service: { type: 'string' },
    endpoints: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['specification', 'url', 'changeset', 'type', 'formats'],
        properties: {
          specification: { type: 'string' },
          url: { type: 'string', format: 'uri' },
          changeset: { type: 'string' },
          type: { enum: ['production', 'test'] },
          formats: { type: 'array', items: { type: 'string' }, minItems: 1 },
        },
      },
    },
  },
};

export const errorsSchema = {
  type: 'array',
  minItems: 1,
  items: {
    type: 'object',
    required: ['code', 'description'],
    additionalProperties: false,
    properties: { code: { type: 'string' }, description: { type: 'string', minLength: 1 } },
  },
};
