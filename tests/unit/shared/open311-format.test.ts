import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '#shared/platform/http.ts';
import { formOf, renderOpen311, renderOpen311Errors, resourceOf } from '#shared/platform/open311-format.ts';

const parser = new XMLParser({
  parseTagValue: false,
  isArray: (name) => ['service', 'request', 'error', 'format', 'endpoint'].includes(name),
});

describe('resourceOf', () => {
  it.each([
    ['services.xml', { name: 'services', format: 'xml' }],
    ['010201.json', { name: '010201', format: 'json' }],
    ['a.b.json', { name: 'a.b', format: 'json' }],
  ])('reads %s', (raw, expected) => expect(resourceOf(raw)).toEqual(expected));

  it.each(['services', 'services.html', '.xml', undefined])('has no resource in %j', (raw) => {
    expect(resourceOf(raw)).toBeUndefined();
  });
});

describe('renderOpen311', () => {
  const requests = [
    {
      service_request_id: 'WO1',
      status: 'open',
      description: 'a < b & "c"',
      lat: 39.9,
      address_id: null,
      metadata: true,
    },
    {
      service_request_id: 'WO2',
      status: 'closed',
      description: '办结',
      lat: null,
      address_id: null,
      metadata: false,
    },
  ];

  it('writes a list as the root element around one element per item, UTF-8 declared', () => {
    const result = renderOpen311('xml', 'service_requests', requests);
    expect(result.headers).toEqual({ 'content-type': 'text/xml; charset=utf-8' });
    expect(result.body).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?>\n<service_requests>/);
    expect(result.body).toContain('<address_id/>');
    expect(parser.parse(result.body as string).service_requests.request).toEqual([
      {
        service_request_id: 'WO1',
        status: 'open',
        description: 'a < b & "c"',
        lat: '39.9',
        address_id: '',
        metadata: 'true',
      },
      {
        service_request_id: 'WO2',
        status: 'closed',
        description: '办结',
        lat: '',
        address_id: '',
        metadata: 'false',
      },
    ]);
  });

  it('writes JSON as the same list (the Spark convention), nulls as null', () => {
    const result = renderOpen311('json', 'service_requests', requests, 201);
    expect(result.statusCode).toBe(201);
    expect(result.headers).toEqual({ 'content-type': 'application/json; charset=utf-8' });
    expect(JSON.parse(result.body as string)).toEqual(requests);
  });

  it('wraps the lists inside an object (discovery: endpoints, formats)', () => {
    const doc = { changeset: 'c', endpoints: [{ url: 'u', formats: ['text/xml', 'application/json'] }] };
    const parsed = parser.parse(renderOpen311('xml', 'discovery', doc).body as string);
    expect(parsed.discovery.endpoints.endpoint[0].formats.format).toEqual(['text/xml', 'application/json']);
  });

  it('writes an empty list as an empty root element', () => {
    const result = renderOpen311('xml', 'service_requests', []);
    expect(result.body).toBe('<?xml version="1.0" encoding="utf-8"?>\n<service_requests/>\n');
  });

  it('writes errors as the spec does, with the status and extra headers', () => {
    const result = renderOpen311Errors('xml', 429, [{ code: 'RATE_LIMITED', description: 'slow down' }], {
      'retry-after': '7',
    });
    expect(result.statusCode).toBe(429);
    expect(result.headers).toMatchObject({ 'retry-after': '7', 'content-type': 'text/xml; charset=utf-8' });
    expect(parser.parse(result.body as string).errors.error).toEqual([
      { code: 'RATE_LIMITED', description: 'slow down' },
    ]);
  });
});

describe('formOf', () => {
  const event = (headers: Record<string, string>, body: string, isBase64Encoded: boolean) =>
    ({ headers, body, isBase64Encoded }) as unknown as ApiEvent;
  const encoded =
    'service_code=010201&description=%E5%8D%A0%E9%81%93+%E7%BB%8F%E8%90%A5&attribute%5Bdistrict%5D=110101';

  it('decodes the base64 body API Gateway hands over for a form', () => {
    const form = formOf(
      event(
        { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        Buffer.from(encoded).toString('base64'),
        true,
      ),
    );
    expect(form && Object.fromEntries(form)).toEqual({
      service_code: '010201',
      description: '占道 经营',
      'attribute[district]': '110101',
    });
  });

  it('reads a body passed as text too, and nothing that is not a form', () => {
    expect(
      formOf(event({ 'content-type': 'application/x-www-form-urlencoded' }, encoded, false))?.get(
        'service_code',
      ),
    ).toBe('010201');
    expect(formOf(event({ 'content-type': 'application/json' }, '{}', false))).toBeUndefined();
    expect(formOf(event({}, encoded, true))).toBeUndefined();
  });
});
