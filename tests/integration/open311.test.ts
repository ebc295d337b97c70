import { Ajv } from 'ajv';
import formatsModule from 'ajv-formats';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StackProcess, startStackProcess } from './local-stack-process.ts';
import {
  discoverySchema,
  errorsSchema,
  postAnswerSchema,
  requestsSchema,
  serviceDefinitionSchema,
  servicesSchema,
  tokenAnswerSchema,
} from './open311-schemas.ts';
import { scenario } from './scenario.ts';

/**
 * Open311 GeoReport v2 on the real local stack, driven as an Open311 client drives it: form posts,
 * XML read with a real XML parser, JSON checked against the GeoReport v2 JSON Schemas
 * (open311-schemas.ts). The manual clock starts on Monday 7 December 2026, 10:00 in Beijing.
 */
let stack: StackProcess;
let supervisor: string;
let operator: string;
let s: ReturnType<typeof scenario>;
let apiKey: string;
let keyId: string;

const ajv = new Ajv({ allErrors: true, strict: false });
// ajv-formats is CommonJS: under Node's ESM its function is the module's `default`.
(formatsModule as unknown as { default: (ajv: Ajv) => void }).default(ajv);
const valid = (schema: object, value: unknown) => {
  const check = ajv.compile(schema);
  expect(check(value), JSON.stringify(check.errors)).toBe(true);
};
const xml = new XMLParser({
  parseTagValue: false,
  isArray: (name) =>
    ['service', 'request', 'error', 'attribute', 'value', 'endpoint', 'format'].includes(name),
});

const open311 = async (
  method: 'GET' | 'POST',
  path: string,
  form?: Record<string, string>,
  headers: Record<string, string> = {},
) => {
  const response = await fetch(`${stack.url}/open311/v2/${path}`, {
    method,
    headers: {
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}),
      ...headers,
    },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    headers: response.headers,
    text,
    // biome-ignore lint/suspicious/noExplicitAny: documents are asserted field by field
    body: (type.startsWith('application/json') ? JSON.parse(text) : xml.parse(text)) as any,
  };
};

const report = (overrides: Record<string, string> = {}) => ({
  api_key: apiKey,
  service_code: '010201',
  lat: '39.9087',
  long: '116.3975',
  description: '天安门东侧流动摊贩占道经营，联系我 13800138000。',
  first_name: '三',
  last_name: '张',
  phone: '13800138000',
  email: 'zhang.san@example.cn',
  'attribute[appeal_type]': 'complaint',
  ...overrides,
});

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-07T10:00:00+08:00' });
  supervisor = await stack.token('supervisor');
  operator = await stack.token('operator');
  s = scenario(stack, { operator, auditor: await stack.token('auditor') });
  const created = await stack.api('POST', '/open311/keys', {
    token: supervisor,
    body: { app: '朝阳群众', ratePerMinute: 100 },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  ({ apiKey, keyId } = created.body);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('Open311 discovery and services', () => {
  it('serves discovery in XML and JSON', async () => {
    const asXml = await open311('GET', 'discovery.xml');
    expect(asXml.status).toBe(200);
    expect(asXml.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(asXml.text.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    expect(asXml.body.discovery.endpoints.endpoint[0].formats.format).toEqual([
      'text/xml',
      'application/json',
    ]);
    const asJson = await open311('GET', 'discovery.json');
    valid(discoverySchema, asJson.body);
    expect(asJson.body.endpoints[0].url).toMatch(/\/open311\/v2$/);
  });

  it('lists the services, the same in both formats', async () => {
    const asJson = await open311('GET', 'services.json');
    valid(servicesSchema, asJson.body);
    const asXml = await open311('GET', 'services.xml?jurisdiction_id=12345.beijing.gov.cn');
    expect(asXml.body.services.service.map((x: { service_code: string }) => x.service_code)).toEqual(
      asJson.body.map((x: { service_code: string }) => x.service_code),
    );
    expect(asJson.body.find((x: { service_code: string }) => x.service_code === '010201')).toMatchObject({
      service_name: '流动摊贩',
      group: '城市管理',
      metadata: true,
      type: 'realtime',
    });
  });

  it('defines a service by its attributes', async () => {
    const asJson = await open311('GET', 'services/010201.json');
    valid(serviceDefinitionSchema, asJson.body);
    const asXml = await open311('GET', 'services/010201.xml');
    const appeal = asXml.body.service_definition.attributes.attribute[0];
    expect(appeal).toMatchObject({ code: 'appeal_type', required: 'true', datatype: 'singlevaluelist' });
    expect(appeal.values.value.map((v: { key: string }) => v.key)).toContain('report');
  });
});

describe('Open311 service requests', () => {
  let id: string;

  it('files a form post as a work order of channel open311, with the app named, through the whole loop', async () => {
    const posted = await open311('POST', 'requests.xml', report());
    expect(posted.status, posted.text).toBe(201);
    const [answer] = posted.body.service_requests.request;
    expect(answer).not.toHaveProperty('token');
    id = answer.service_request_id;
    expect(answer.service_notice).toMatch(/^已受理/);

    const order = await s.untilWaiting(id, 'dispatched');
    expect(order).toMatchObject({
      channel: 'open311',
      appealType: 'complaint',
      categoryCode: '010201',
      location: { districtCode: '110101', lat: 39.9087, long: 116.3975 },
      receivedBy: { sub: `open311:${keyId}`, role: 'open311', app: '朝阳群众' },
    });
    expect(order.unitId).toBeDefined();
  });

  it('publishes the request without its requester, free text redacted, in both formats', async () => {
    const asJson = await open311('GET', `requests/${id}.json`);
    valid(requestsSchema, asJson.body);
    const [request] = asJson.body;
    expect(request).toMatchObject({ service_request_id: id, status: 'open', service_code: '010201' });
    expect(request.description).toBe('天安门东侧流动摊贩占道经营，联系我 [号码]。');
    expect(request.requested_datetime).toBe('2026-12-07T10:00:00+08:00');
    expect(request.agency_responsible).not.toBe('');
    expect(asJson.text).not.toMatch(/13800138000|张三|zhang\.san/);
    const asXml = await open311('GET', `requests/${id}.xml`);
    expect(asXml.body.service_requests.request[0].service_request_id).toBe(id);
    expect(asXml.text).not.toMatch(/13800138000|张三|zhang\.san/);
  });

  it('finds requests by service, status, date and id', async () => {
    const other = await open311(
      'POST',
      'requests.json',
      report({ service_code: '010101', description: '私搭乱建' }),
    );
    valid(postAnswerSchema, other.body);
    const otherId = other.body[0].service_request_id;

    const ids = async (query: string) => {
      const found = await open311('GET', `requests.json?${query}`);
      expect(found.status, found.text).toBe(200);
      valid(requestsSchema, found.body);
      return found.body.map((r: { service_request_id: string }) => r.service_request_id);
    };
    expect(await ids('')).toEqual([otherId, id]);
    expect(await ids('service_code=010201')).toEqual([id]);
    expect(await ids('status=closed')).toEqual([]);
    expect(await ids('status=open&service_code=010201,010101')).toEqual([otherId, id]);
    expect(await ids('start_date=2026-12-08T00:00:00%2B08:00')).toEqual([]);
    expect(await ids('end_date=2026-12-07T09:00:00%2B08:00')).toEqual([]);
    expect(
      await ids(`service_request_id=${id},${otherId},WO00000000000000000000000000&status=closed`),
    ).toEqual([id, otherId]);
    const asXml = await open311('GET', 'requests.xml?status=closed');
    expect(asXml.text).toBe('<?xml version="1.0" encoding="utf-8"?>\n<service_requests/>\n');
  });

  it('answers a retry with the same Idempotency-Key with the first request, and its token names it', async () => {
    const headers = { 'idempotency-key': 'app-42' };
    const first = await open311('POST', 'requests.json', report({ description: '重复提交测试' }), headers);
    const again = await open311('POST', 'requests.json', report({ description: '重复提交测试' }), headers);
    expect(first.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const token = await open311('GET', `tokens/app-42.json?api_key=${apiKey}`);
    valid(tokenAnswerSchema, token.body);
    expect(token.body).toEqual([{ service_request_id: first.body[0].service_request_id, token: 'app-42' }]);
    expect((await open311('GET', 'tokens/app-42.json')).status).toBe(403);
    expect((await open311('GET', `tokens/app-43.xml?api_key=${apiKey}`)).body.errors.error[0].code).toBe(
      'TOKEN_NOT_FOUND',
    );
  });
});

describe('Open311 errors', () => {
  const refused = async (
    method: 'GET' | 'POST',
    path: string,
    form: Record<string, string> | undefined,
    status: number,
    codes: string[],
  ) => {
    const asJson = await open311(method, `${path}.json`, form);
    expect(asJson.status, asJson.text).toBe(status);
    valid(errorsSchema, asJson.body);
    expect(asJson.body.map((e: { code: string }) => e.code)).toEqual(codes);
  };

  it('answers 403 without a key or with a wrong one', async () => {
    const { api_key: _key, ...noKey } = report();
    await refused('POST', 'requests', noKey, 403, ['API_KEY_REQUIRED']);
    await refused('POST', 'requests', report({ api_key: `o311.${keyId}.${'A'.repeat(32)}` }), 403, [
      'API_KEY_INVALID',
    ]);
    await refused('POST', 'requests', report({ api_key: 'xyz' }), 403, ['API_KEY_INVALID']);
    const asXml = await open311('POST', 'requests.xml', noKey);
    expect(asXml.status).toBe(403);
    expect(asXml.body.errors.error).toEqual([
      { code: 'API_KEY_REQUIRED', description: 'api_key was not provided.' },
    ]);
  });

  it('answers 404 for what does not exist and 400 for what is wrong, every problem listed', async () => {
    await refused('POST', 'requests', report({ service_code: '999999' }), 404, ['SERVICE_CODE_NOT_FOUND']);
    await refused('POST', 'requests', report({ jurisdiction_id: 'sfgov.org' }), 404, [
      'JURISDICTION_NOT_FOUND',
    ]);
    await refused('POST', 'requests', { api_key: apiKey }, 400, [
      'SERVICE_CODE_REQUIRED',
      'LOCATION_REQUIRED',
      'APPEAL_TYPE_REQUIRED',
      'DESCRIPTION_REQUIRED',
    ]);
    await refused('POST', 'requests', report({ 'attribute[street]': '110105001' }), 400, [
      'STREET_NOT_IN_DISTRICT',
    ]);
    await refused('GET', 'services/0102', undefined, 404, ['SERVICE_CODE_NOT_FOUND']);
    await refused('GET', 'requests/WO00000000000000000000000000', undefined, 404, ['REQUEST_NOT_FOUND']);
    await refused('GET', 'elsewhere', undefined, 404, ['NOT_FOUND']);
    const range = await open311(
      'GET',
      'requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z',
    );
    expect(range.status).toBe(400);
    expect(range.body[0].code).toBe('RANGE_TOO_LONG');
    const noFormat = await open311('GET', 'services');
    expect(noFormat.status).toBe(404);
    expect(noFormat.body.errors.error[0].code).toBe('NOT_FOUND');
  });

  it('refuses a POST that is not a form, and changes nothing', async () => {
    const before = (await open311('GET', 'requests.json')).body.length;
    const json = await fetch(`${stack.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(report()),
    });
    expect(json.status).toBe(403);
    const asText = await fetch(`${stack.url}/open311/v2/requests.json?api_key=${apiKey}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'service_code=010201',
    });
    expect(asText.status).toBe(400);
    expect(((await asText.json()) as { code: string }[])[0]?.code).toBe('FORM_REQUIRED');
    expect((await open311('GET', 'requests.json')).body.length).toBe(before);
  });
});

describe('Open311 keys', () => {
  it('lets only supervisors manage keys, and never shows a key or its hash again', async () => {
    expect((await stack.api('POST', '/open311/keys', { token: operator, body: { app: 'x' } })).status).toBe(
      403,
    );
    const listed = await stack.api('GET', '/open311/keys', { token: supervisor });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ keyId, app: '朝阳群众', ratePerMinute: 100 }),
    );
    expect(JSON.stringify(listed.body)).not.toMatch(/apiKey|keyHash|o311\./);
    const bad = await stack.api('POST', '/open311/keys', {
      token: supervisor,
      body: { app: ' ', ratePerMinute: 0 },
    });
    expect(bad.status).toBe(400);
  });

  it('meters each key: the request over its limit in a minute is a 429 with Retry-After', async () => {
    const small = await stack.api('POST', '/open311/keys', {
      token: supervisor,
      body: { app: '小应用', ratePerMinute: 3 },
    });
    const key = small.body.apiKey as string;
    // Six at once (the manual clock stays in one minute): exactly three pass.
    const statuses = await Promise.all(
      Array.from({ length: 6 }, async () => (await open311('GET', `services.json?api_key=${key}`)).status),
    );
    expect(statuses.sort()).toEqual([200, 200, 200, 429, 429, 429]);
    const limited = await open311('GET', `services.xml?api_key=${key}`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.errors.error[0].code).toBe('RATE_LIMITED');
  });

  it('refuses a revoked key at once; revoking again answers the same; an unknown key is a 404', async () => {
    const revoked = await stack.api('DELETE', `/open311/keys/${keyId}`, { token: supervisor });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toBeDefined();
    const again = await stack.api('DELETE', `/open311/keys/${keyId}`, { token: supervisor });
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    expect((await open311('POST', 'requests.json', report())).status).toBe(403);
    expect((await stack.api('DELETE', '/open311/keys/0123456789abcdef', { token: supervisor })).status).toBe(
      404,
    );
  });
});
