import fc from 'fast-check';
import type { HttpRouteSpec, Role } from '#wiring/wiring.ts';
import type { RawRequest } from './fuzz-support.ts';
import type { SeededOrders } from './seeded-orders.ts';

/**
 * Hostile requests for every route of wiring/wiring.ts (not a test file itself): bodies, headers, query
 * strings and path parameters that break the rules on purpose.
 *
 * A write route must never accept a fuzzed request, so each one carries a **poison**: one defect that,
 * by the documented rules, guarantees a refusal whatever else the request holds (a key no schema has,
 * a malformed If-Match, an order in a status that allows no action...). Everything else is drawn
 * freely, so the hostile values still reach every layer behind the poison's. Read routes carry no
 * poison: whatever they answer, they change nothing (the test's snapshot proves it).
 */
export interface FuzzContext {
  readonly orders: SeededOrders;
  /** Valid tokens of each role (several units for `unit`). */
  readonly tokens: Readonly<Record<Role, readonly string[]>>;
  /** Units of the seeded orders, and others. */
  readonly unitIds: readonly string[];
  /** `category|area` of every catalogue line in force. */
  readonly catalogueLines: ReadonlySet<string>;
  /** A well-formed category code (2, 4 or 6 digits) that names no category. */
  readonly unknownCategory: string;
}

// ---------------------------------------------------------------------------------------------------
// JSON, built as a tree so that it can hold what JS objects cannot: `__proto__` as an own key, the same
// key twice, and number tokens like 1e309 or -0 that JSON.stringify never writes.
// ---------------------------------------------------------------------------------------------------
export type Json =
  | { readonly raw: string }
  | { readonly items: readonly Json[] }
  | { readonly entries: readonly (readonly [string, Json])[] };

export const serialize = (j: Json): string =>
  'raw' in j
    ? j.raw
    : 'items' in j
      ? `[${j.items.map(serialize).join(',')}]`
      : `{${j.entries.map(([k, v]) => `${JSON.stringify(k)}:${serialize(v)}`).join(',')}}`;

/** A plain value as a tree. */
export const tree = (value: unknown): Json => {
  if (Array.isArray(value)) return { items: value.map(tree) };
  if (value !== null && typeof value === 'object')
    return { entries: Object.entries(value).map(([k, v]) => [k, tree(v)] as const) };
  return { raw: JSON.stringify(value) ?? 'null' };
};

// ---------------------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------------------
const oddCharacters = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009f',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\u2028',
  '\u2029',
  '\u202e',
  '\u3000',
  '\ufeff',
  '\uffff',
  '\u2800',
  '\t',
  '\r\n',
  '\r',
];
const loneSurrogates = ['\ud800', '\udfff', 'a\ud83d', '\ude00b', '😀'.slice(0, 1)];
const injections = [
  "' OR '1'='1",
  '"; DROP TABLE orders; --',
  // Log4Shell's lookup, built so that it does not read as a template placeholder.
  `$${'{'}jndi:ldap://127.0.0.1/a}`,
  '<script>alert(1)</script>',
  '{{7*7}}',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '$where',
  '{"$gt":""}',
  '#ORDER',
  'ORDER#WO',
  'EVENT#0000000001',
  'attribute_exists(pk)',
  '%s%s%n',
  '\\u0000',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  'true',
  '__proto__',
  'constructor',
  'WO00000000000000000000000000',
  'st-110105001',
  'hotline/supervisor',
  '2026-13-45T25:61:61Z',
  '9999-12-31T23:59:59.999+14:00',
  '-0',
  '1e309',
];

/** Lengths at and just over the API's limits (ids 64, keys 128, notes 1000, text 4000, cursors 2048…). */
const limits = [0, 1, 63, 64, 65, 100, 101, 128, 129, 200, 201, 300, 301, 500, 501, 1000, 1001, 2048, 2049];
const bigLimits = [...limits, 3096, 3097, 4000, 4001, 10_000, 70_000];

const repeated = (lengths: readonly number[], units: readonly string[]) =>
  fc
    .tuple(fc.constantFrom(...lengths), fc.constantFrom(...units))
    .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

const blank = fc
  .array(fc.constantFrom(' ', '\t', '\n', '\u3000', '\u200b', '\ufeff', '\u00a0', '\u2800', '\u115f'), {
    minLength: 1,
    maxLength: 8,
  })
  .map((cs) => cs.join(''));

/** A hostile string for a body: anything, including characters a header or a URL cannot carry. */
export const hostileText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.constantFrom(...oddCharacters, ...loneSurrogates, ...injections, ''),
    fc
      .tuple(fc.constantFrom(...oddCharacters, ...loneSurrogates), fc.string({ maxLength: 10 }))
      .map(([odd, s]) => `${s}${odd}${s}`),
    blank,
    repeated(bigLimits, ['x', '中', '😀', ' ', 'a\u0000', '\u200b']),
  );

/** A string of what HTTP carries in headers and (percent-encoded) in URLs: tab, printable ASCII, Latin-1. */
const latin1 = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }), fc.constant(9))
  .map((c) => String.fromCharCode(c));
const headerText = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: latin1, maxLength: 40 }),
    fc.constantFrom(...injections.filter((s) => /^[\t\x20-\x7e]*$/.test(s))),
    repeated(
      limits.filter((n) => n <= maxLength),
      ['x', 'é', '9', '"', ' '],
    ),
  );

// ---------------------------------------------------------------------------------------------------
// JSON values and bodies
// ---------------------------------------------------------------------------------------------------
const numberTokens = [
  '1e309',
  '-1e309',
  '-0',
  '0',
  '-1',
  '1.5',
  '1e-400',
  '9007199254740993',
  '123456789012345678901234567890',
  '"NaN"',
  '"Infinity"',
  '"-0"',
  '"1e309"',
  '" 5"',
  '"0x10"',
];
/** Keys that no schema of the API has: a body with one is always refused (every schema is strict). */
export const foreignKeys = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  '\u0000',
  '$where',
  'a.b',
  'x-fuzz',
  '__defineGetter__',
];
/** Keys the API's bodies do have, so that a hostile value lands where a handler reads it. */
const knownKeys = [
  'unitId',
  'coUnitIds',
  'unitIds',
  'note',
  'text',
  'reason',
  'decision',
  'approve',
  'days',
  'to',
  'result',
  'way',
  'at',
  'reached',
  'contactedInTime',
  'solved',
  'satisfied',
  'comment',
  'categoryCode',
  'areaCode',
  'leadUnitId',
  'description',
  'requester',
  'location',
  'disposition',
];

const leaf: fc.Arbitrary<Json> = fc.oneof(
  hostileText().map((s) => ({ raw: JSON.stringify(s) })),
  fc.constantFrom(...numberTokens, 'true', 'false', 'null', '[]', '{}').map((raw) => ({ raw })),
  fc.double().map((d) => ({ raw: JSON.stringify(d) })),
  fc.integer().map((i) => ({ raw: String(i) })),
);

export const hostileJson: fc.Arbitrary<Json> = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('json'), { maxLength: 4 }).map((items) => ({ items })),
    fc
      .array(fc.tuple(fc.constantFrom(...foreignKeys, ...knownKeys), tie('json')), { maxLength: 4 })
      .map((entries) => ({ entries })),
  ),
})).json;

/** Nesting deeper than any parser or validator should have to walk. */
const deeplyNested = fc
  .tuple(fc.constantFrom(10, 100, 1000, 10_000, 100_000), fc.constantFrom('[', '{"a":'))
  .map(([depth, open]) =>
    open === '['
      ? `${'['.repeat(depth)}${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** Bodies that are not JSON, or not only JSON. */
export const malformedBodies = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '{',
    '}',
    '{"a":',
    '{"a" 1}',
    "{'a':1}",
    '{"a":1,}',
    '[1,]',
    '{}garbage',
    '{} {}',
    'NaN',
    '-',
    '01',
    '"unterminated',
    '\ufeff{}',
    '{"a":"\\x00"}',
    '{"a":"\\ud800"',
    'undefined',
    '<xml/>',
    'a=1&b=2',
    '\u0000',
  ),
  fc.string({ maxLength: 30 }).map((s) => `{${s}`),
);

export interface BodyDraft {
  readonly contentType?: string;
  readonly text?: string;
}

const jsonType = fc.constantFrom('application/json', 'application/json; charset=utf-8');
/** Content types that are not JSON by any reading (API Gateway passes them on; the handler refuses). */
export const nonJsonTypes = fc.constantFrom(
  undefined,
  'text/plain',
  'text/html',
  'application/xml',
  'application/octet-stream',
  'multipart/form-data; boundary=fuzz',
  'application/x-www-form-urlencoded',
  'image/png',
  '',
  'json',
);

/** The example body of a route, changed in one hostile way. */
const mutated = (example: Json): fc.Arbitrary<Json> => {
  const entries = 'entries' in example ? example.entries : [];
  const mutations: fc.Arbitrary<Json>[] = [
    hostileJson,
    fc.constant({ items: [example] }),
    fc.constantFrom(...numberTokens, 'null', 'true', '"a string"', '[]').map((raw) => ({ raw })),
  ];
  if (entries.length > 0) {
    mutations.push(
      // one field's value replaced by a hostile one
      fc
        .tuple(fc.nat(entries.length - 1), fc.oneof(leaf, hostileJson))
        .map(([i, value]) => ({ entries: entries.map((e, j) => (i === j ? ([e[0], value] as const) : e)) })),
      // one field left out
      fc.nat(entries.length - 1).map((i) => ({ entries: entries.filter((_e, j) => j !== i) })),
      // one field twice, the second hostile
      fc
        .tuple(fc.nat(entries.length - 1), leaf)
        .map(([i, value]) => ({ entries: [...entries, [entries[i]?.[0] ?? 'a', value] as const] })),
    );
  }
  return fc.oneof(...mutations);
};

/** Text that a schema may well accept (visible, within limits) yet is hostile to what reads it. */
const plausibleText = fc.oneof(
  fc.constantFrom(
    ...injections,
    '😀👍🏽👨‍👩‍👧',
    'a\u202eb',
    'Ω\u0301',
    '中\t文',
    'a\r\nb\rc',
    '\u3000中\u3000',
    'x'.repeat(64),
    '中'.repeat(1000),
    '中'.repeat(4000),
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
);

/** The example body with its strings swapped for plausible hostile ones: it may pass the schema. */
const plausible = (example: Json): fc.Arbitrary<Json> => {
  if ('raw' in example)
    return example.raw.startsWith('"')
      ? fc.oneof(
          { arbitrary: fc.constant(example), weight: 2 },
          { arbitrary: plausibleText.map((t) => ({ raw: JSON.stringify(t) })), weight: 1 },
        )
      : fc.constant(example);
  if ('items' in example) return fc.tuple(...example.items.map(plausible)).map((items) => ({ items }));
  return fc
    .tuple(...example.entries.map(([k, v]) => plausible(v).map((pv) => [k, pv] as const)))
    .map((entries) => ({ entries }));
};

const plausibleBody = (example: Json): fc.Arbitrary<BodyDraft> =>
  fc.record({ contentType: jsonType, text: plausible(example).map(serialize) });

/** Any body: the example mutated, hostile JSON, malformed text, a lying content type, or none. */
const anyBody = (example: Json | undefined): fc.Arbitrary<BodyDraft> =>
  fc.oneof(
    fc.record({ contentType: jsonType, text: mutated(example ?? { entries: [] }).map(serialize) }),
    fc.record({ contentType: jsonType, text: hostileJson.map(serialize) }),
    fc.record({ contentType: jsonType, text: fc.oneof(malformedBodies, deeplyNested) }),
    fc.record({
      contentType: nonJsonTypes,
      text: fc.oneof(fc.constant(serialize(example ?? { entries: [] })), malformedBodies),
    }),
    fc.constant({}),
  );

// ---------------------------------------------------------------------------------------------------
// Headers and query strings
// ---------------------------------------------------------------------------------------------------
export const garbageIfMatch = fc.oneof(
  fc.constantFrom('', '*', '"abc"', 'W/"x"', '"1", "2"', '-1', '"-1"', '1.5', '"1.5"', 'W/', '""', '" "'),
  headerText(200).filter((s) => !/^\s*(?:W\/)?"?\d+"?\s*$/.test(s)),
);
/** An If-Match naming a version no order has (versions start at 1). */
const staleIfMatch = fc.constantFrom('"0"', 'W/"0"', '0');
export const badIdempotencyKeys = fc.oneof(
  fc.constantFrom('', ' ', 'a b', 'key/with/slash', 'ключ'.replace(/./g, 'é'), '%00', 'a\tb', '"quoted"'),
  repeated([129, 200, 1000, 4000], ['k', 'é', '9']),
  headerText(200).filter((s) => !/^[A-Za-z0-9._:-]{1,128}$/.test(s)),
);

/**
 * Extra headers: odd If-Match and Idempotency-Key (rarely, so that most requests get past them), a huge
 * header, other noise.
 */
const extraHeaders = fc.record(
  {
    'if-match': fc.oneof(
      { arbitrary: fc.oneof(garbageIfMatch, staleIfMatch), weight: 1 },
      { arbitrary: fc.constantFrom('"1"', '"3"', 'W/"2"'), weight: 1 },
    ),
    'idempotency-key': fc.oneof(
      { arbitrary: badIdempotencyKeys, weight: 1 },
      { arbitrary: fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/), weight: 3 },
    ),
    'x-fuzz-padding': repeated([100, 1000, 4000], ['a', 'é']),
    'x-forwarded-for': headerText(100),
    accept: fc.constantFrom('application/json', '*/*', 'application/xml', 'garbage', ''),
    'content-encoding': fc.constantFrom('gzip', 'br', 'identity', 'garbage'),
  },
  { requiredKeys: [] },
);

const queryNames = [
  'status',
  'unitId',
  'districtCode',
  'createdFrom',
  'createdTo',
  'limit',
  'cursor',
  'verify',
  'round',
  'maxResults',
  'nextToken',
  'reverseOrder',
  'month',
  'class',
  'day',
  'from',
  'to',
  'categoryCode',
  'areaCode',
  'lat',
  'long',
];
const queryValues = fc.oneof(
  headerText(3000),
  fc.constantFrom(
    '1e309',
    '-1',
    '-0',
    '0',
    '101',
    '1001',
    '99999999999999999999',
    'NaN',
    '0x10',
    '1.5',
    ' 5',
    'true',
    'TRUE',
    '2026-12',
    '2026-13',
    '2026-12-07',
    '2026-02-30',
    'dispatched',
    'closed',
    'street',
    'st-110105001',
    'st-110108001',
    '110105',
    '0101',
    '39.9',
    '116.4',
    '2026-12-07T10:00:00+08:00',
    '2020-01-01T00:00:00Z',
    'eyJwayI6Ik9SREVSI1dPIn0',
  ),
);
/**
 * Encodings of a value: percent-encoded, raw (only what a request line cannot carry is encoded: Node's
 * parser refuses any byte outside printable ASCII before a route sees it), or percent-garbage.
 */
const encodedQueryValue = fc.oneof(
  queryValues.map(encodeURIComponent),
  queryValues.map((v) => v.replace(/[^\x21-\x7e]|[#&]/g, (c) => (c === ' ' ? '+' : encodeURIComponent(c)))),
  fc.constantFrom('%', '%Z', '%ZZ', '%E4%B8', '%C0%AF', '%ED%A0%80', '%00', '%0A', '+', '=', '==', '%25', ''),
);
const queryName = fc.oneof(
  fc.constantFrom(...queryNames),
  fc.constantFrom(...foreignKeys.map(encodeURIComponent), 'a[b]', 'limit[]', '%00', '%ZZ'),
);
/** A valid query of each read route that takes one, which mutations start from. */
export const exampleQueries: Readonly<Record<string, string>> = {
  'GET /orders': 'status=dispatched&districtCode=110105&limit=5',
  'GET /callbacks': 'limit=5',
  'GET /catalogue': 'categoryCode=0101&areaCode=110105001',
  'GET /assessment/units/{id}': 'month=2026-12',
  'GET /assessment/rankings': 'month=2026-12&class=street',
  'GET /insights/topics': 'month=2026-12',
  'GET /insights/townships': 'month=2026-12',
  'GET /insights/rates': 'month=2026-12&class=street',
  'GET /insights/heatmap': 'month=2026-12',
  'GET /insights/outlook': 'month=2026-12',
  'GET /insights/hotspots': 'day=2026-12-07',
  'GET /insights/alerts': 'from=2026-12-01&to=2026-12-07',
  'GET /open311/v2/{document}':
    'service_code=010201,010101&status=open&start_date=2026-12-01T00:00:00%2B08:00',
  'GET /possible-duplicates': 'categoryCode=0101&lat=39.9&long=116.4',
  'GET /orders/{id}/timeline': 'verify=true',
  'GET /orders/{id}/execution-history': 'maxResults=5&reverseOrder=true',
  'GET /orders/{id}/contact': 'purpose=verification&note=%E6%A0%B8%E5%AE%9E',
  'GET /orders/{id}/contact-reads': 'limit=5',
  'GET /contact-reads': 'day=2026-12-07&limit=5',
  'GET /requester-orders': 'phone=%2B86%20138-0013-8000&limit=5',
};

/** The example query changed in one hostile way: a value, a parameter twice, one added or left out. */
const mutatedQuery = (example: string): fc.Arbitrary<string> => {
  const pairs = example.split('&').map((p) => p.split('=') as [string, string]);
  const join = (ps: readonly (readonly [string, string])[]) => ps.map(([k, v]) => `${k}=${v}`).join('&');
  return fc.oneof(
    fc.constant(example),
    fc
      .tuple(fc.nat(pairs.length - 1), encodedQueryValue)
      .map(([i, v]) => join(pairs.map((p, j) => (i === j ? [p[0], v] : p)))),
    fc
      .tuple(fc.nat(pairs.length - 1), encodedQueryValue)
      .map(([i, v]) => join([...pairs, [pairs[i]?.[0] ?? 'a', v]])),
    fc.nat(pairs.length - 1).map((i) => join(pairs.filter((_p, j) => j !== i))),
    fc.tuple(queryName, encodedQueryValue).map(([k, v]) => join([...pairs, [k, v]])),
  );
};

export const hostileQuery: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc
    .array(fc.tuple(queryName, encodedQueryValue), { minLength: 1, maxLength: 6 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  // the same parameter twice
  fc
    .tuple(fc.constantFrom(...queryNames), encodedQueryValue, encodedQueryValue)
    .map(([k, a, b]) => `${k}=${a}&${k}=${b}`),
  fc.constantFrom('&&&', '=', '?', '#', 'limit', 'limit=', '&limit=5&', 'a=1&&b=2'),
);

// ---------------------------------------------------------------------------------------------------
// Path parameters. Each slot is a route's path up to one of its parameters, so `/orders/{id}` serves
// every `/orders/{id}/...` route. A route with a slot missing here fails the test.
// ---------------------------------------------------------------------------------------------------
/** Segments that are hostile as written on the wire (already encoded). */
const rawSegments = fc.constantFrom(
  '..%2F..%2Fetc%2Fpasswd',
  '..%2f',
  '%2e%2e',
  '.%2E',
  '%2F',
  '%5C..%5C',
  '%00',
  '%',
  '%ZZ',
  '%ED%A0%80',
  '%C0%AE%C0%AE',
  '%252F',
  '*',
  '%20',
  '~',
  '%7B%7D',
);
/** A value percent-encoded (a lone surrogate cannot be: it is sent as its broken UTF-8 instead). */
const encodeSegment = (value: string): string => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};
/** Hostile strings short enough that path, query and headers stay under Node's 16 KB of head. */
const segmentValue = fc.oneof(
  hostileText().filter((s) => encodeSegment(s).length <= 3000),
  repeated([64, 65, 129, 2049, 3000], ['A', '0', '-']),
);
const hostileSegment = fc.oneof(segmentValue.map(encodeSegment), rawSegments);
const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Ids that look like order ids (`WO` + 26 Crockford characters) but name no order. */
export const absentOrderId = fc
  .array(fc.constantFrom(...crockford), { minLength: 26, maxLength: 26 })
  .map((cs) => `WO${cs.join('')}`);
const wrongShapeOrderId = fc.oneof(
  absentOrderId.map((id) => id.toLowerCase()),
  absentOrderId.map((id) => `${id}0`),
  absentOrderId.map((id) => id.slice(0, 20)),
  absentOrderId.map((id) => id.replace('WO', 'XX')),
  absentOrderId.map((id) => `${id}-r2`),
);
const categoryCodes = fc.oneof(
  fc.constantFrom('01', '0101', '010101', '0106', '9901', '99', '03'),
  fc.stringMatching(/^\d{2,12}$/),
);
const areaCodes = fc.oneof(
  fc.constantFrom('110000', '110105', '110105001', '110108003'),
  fc.stringMatching(/^\d{2,12}$/),
);
export const validMonth = /^\d{4}-(0[1-9]|1[0-2])$/;

export type SlotGenerator = (ctx: FuzzContext, route: HttpRouteSpec) => fc.Arbitrary<string>;

const seededIds = (ctx: FuzzContext) => Object.values(ctx.orders);

export const slotGenerators: Readonly<Record<string, SlotGenerator>> = {
  '/orders/{id}': (ctx) =>
    fc.oneof(
      { arbitrary: fc.constantFrom(...seededIds(ctx)), weight: 4 },
      { arbitrary: absentOrderId, weight: 1 },
      { arbitrary: wrongShapeOrderId, weight: 1 },
      { arbitrary: hostileSegment, weight: 2 },
    ),
  '/assessment/units/{id}': (ctx) =>
    fc.oneof(
      { arbitrary: fc.constantFrom(...ctx.unitIds), weight: 3 },
      { arbitrary: hostileSegment, weight: 2 },
    ),
  '/surveys/{token}': () =>
    fc.oneof(
      hostileSegment,
      absentOrderId.map((id) => `${id}.${'A'.repeat(32)}`),
      fc.stringMatching(/^[A-Za-z0-9_-]{10,60}$/),
      repeated([200, 201], ['A']),
    ),
  '/open311/v2/{document}': () =>
    fc.oneof(
      fc.constantFrom(
        ...['discovery', 'services', 'requests', 'tokens', 'x'].flatMap((n) => [`${n}.xml`, `${n}.json`, n]),
      ),
      hostileSegment,
    ),
  '/open311/v2/services/{file}': () =>
    fc.oneof(
      fc.constantFrom('010201.json', '010201.xml', '0102.json', '999999.xml', '010201'),
      hostileSegment,
    ),
  '/open311/v2/requests/{file}': (ctx) =>
    fc.oneof(
      fc
        .tuple(
          fc.oneof(fc.constantFrom(...seededIds(ctx)), absentOrderId),
          fc.constantFrom('.json', '.xml', ''),
        )
        .map(([id, suffix]) => `${id}${suffix}`),
      hostileSegment,
    ),
  '/open311/v2/tokens/{file}': () =>
    fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}\.(json|xml)$/), hostileSegment),
  '/open311/keys/{keyId}': () => fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), hostileSegment),
  '/units/{id}': (ctx) =>
    fc.oneof(
      { arbitrary: fc.constantFrom(...ctx.unitIds), weight: 3 },
      { arbitrary: hostileSegment, weight: 2 },
    ),
  // No subscription is ever made in the fuzzed stack (every POST of one is poisoned).
  '/units/{id}/subscriptions/{subscriptionId}': () =>
    fc.oneof(
      fc
        .array(fc.constantFrom(...crockford), { minLength: 26, maxLength: 26 })
        .map((cs) => `SUB${cs.join('')}`),
      hostileSegment,
    ),
  '/catalogue/lines/{categoryCode}': () => fc.oneof(categoryCodes, hostileSegment),
  '/catalogue/lines/{categoryCode}/{areaCode}': () => fc.oneof(areaCodes, hostileSegment),
  '/insights/topics/{month}': () =>
    fc.oneof(
      fc.constantFrom('2026-12', '2026-11', '2027-01'),
      fc.constantFrom('2026-13', '2026-00', '26-12', '2026-1', '2026-12-01', '999999-12'),
      hostileSegment,
    ),
};

/** The slots of a route: its path up to each of its parameters. */
export const slotsOf = (path: string): string[] =>
  [...path.matchAll(/\{[^}]+\}/g)].map((m) => path.slice(0, (m.index ?? 0) + m[0].length));

// ---------------------------------------------------------------------------------------------------
// Requests and poisons
// ---------------------------------------------------------------------------------------------------
export interface Draft {
  readonly token?: string;
  readonly slots: Readonly<Record<string, string>>;
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: BodyDraft;
  /** The poison that guarantees a refusal (write routes); empty for reads. */
  readonly poison: string;
}

/** The valid example body of each write route (docs/api.md), which mutations start from. */
export const exampleBodies: Readonly<Record<string, unknown>> = {
  'POST /surveys/{token}': { contactedInTime: true, solved: 'solved', satisfied: 'satisfied' },
  'PUT /catalogue/lines': {
    categoryCode: '0106',
    areaCode: '110108003',
    leadUnitId: 'dept-cgw',
    coUnitIds: ['st-110108003'],
  },
  'POST /orders/{id}/assessment-exclusion': { reason: 'unreachable', note: '三次回访均未接通' },
  'POST /orders/{id}/assessment-appeal': { reason: '诉求人要求超出政策范围' },
  'POST /orders/{id}/assessment-appeal-decision': {
    decision: 'exclude',
    reason: 'unreasonable_demand',
    note: '经核实属不合理诉求',
  },
  'PUT /insights/topics/{month}/choice': { categoryCode: '0101', note: '本月聚焦违建' },
  'POST /open311/keys': { app: '朝阳群众', ratePerMinute: 60 },
  'POST /units/{id}/subscriptions': {
    url: 'https://cases.example.cn/hotline/events',
    events: ['dispatched'],
  },
  'POST /orders': {
    appealType: 'complaint',
    categoryCode: '0101',
    description: '楼下商户私自搭建彩钢板房，占用消防通道。',
    channel: 'phone',
    urgency: 'normal',
    requester: { kind: 'person', anonymous: true },
    location: { districtCode: '110105', streetCode: '110105001' },
  },
  'POST /orders/{id}/dispatch': { unitId: 'st-110105001', coUnitIds: ['dept-cgw'], note: '属地街道牵头' },
  'POST /orders/{id}/objection-decision': { decision: 'redispatch', unitId: 'st-110105003' },
  'POST /orders/{id}/extension-decision': { approve: true, note: '同意' },
  'POST /orders/{id}/reply-review': { decision: 'reject', reason: '答复不完整' },
  'POST /orders/{id}/callback': {
    reached: true,
    contactedInTime: true,
    solved: 'partly',
    satisfied: 'basically',
    comment: '基本解决',
  },
  'POST /orders/{id}/accept': {},
  'POST /orders/{id}/objection': { reason: '该地址属于相邻街道辖区' },
  'POST /orders/{id}/contact': { way: 'phone', at: '2026-12-07T10:30:00+08:00', note: '已电话联系' },
  'POST /orders/{id}/progress': { text: '已现场核查' },
  'POST /orders/{id}/co-handling': { unitIds: ['dept-cgw'], note: '请城管委协办' },
  'POST /orders/{id}/co-handling-report': { text: '已约谈商户' },
  'POST /orders/{id}/summon': { unitIds: ['dept-cgzfj'], note: '请城管执法报到' },
  'POST /orders/{id}/extension': { days: 5, reason: '需协调维修资金' },
  'POST /orders/{id}/escalation': { to: 'district', reason: '需区级统筹' },
  'POST /orders/{id}/reply': { result: 'resolved', text: '已责令拆除，消防通道已恢复。' },
};

type Transform = (draft: Draft, ctx: FuzzContext, route: HttpRouteSpec) => fc.Arbitrary<Draft>;

const withBody = (draft: Draft, body: BodyDraft, poison: string): Draft => ({ ...draft, body, poison });
const withHeader = (draft: Draft, name: string, value: string, poison: string): Draft => ({
  ...draft,
  headers: { ...draft.headers, [name]: value },
  poison,
});
const withSlot = (draft: Draft, slot: string, value: string, poison: string): Draft => ({
  ...draft,
  slots: { ...draft.slots, [slot]: value },
  poison,
});
const exampleOf = (route: HttpRouteSpec): Json => tree(exampleBodies[`${route.method} ${route.path}`] ?? {});

/** Poisons of the body's schema: every body-taking write route refuses each before reading anything. */
const schemaPoisons: Readonly<Record<string, Transform>> = {
  'a key no schema has': (draft, _ctx, route) =>
    fc
      .tuple(
        fc.oneof(mutated(exampleOf(route)), fc.constant(exampleOf(route))),
        fc.constantFrom(...foreignKeys),
      )
      .chain(([body, key]) =>
        hostileJson.map((value) => {
          const entries = 'entries' in body ? body.entries : [];
          return withBody(
            draft,
            { contentType: 'application/json', text: serialize({ entries: [...entries, [key, value]] }) },
            `a key no schema has (${JSON.stringify(key)})`,
          );
        }),
      ),
  'a body that is not an object': (draft, _ctx, route) =>
    fc
      .oneof(
        fc.constantFrom(...numberTokens, 'null', 'true', 'false', '"a string"', '[]').map((raw) => ({ raw })),
        fc.array(hostileJson, { maxLength: 3 }).map((items) => ({ items })),
        fc.constant({ items: [exampleOf(route)] }),
      )
      .map((json) =>
        withBody(draft, { contentType: 'application/json', text: serialize(json) }, 'not an object'),
      ),
  'malformed JSON': (draft) =>
    fc
      .oneof(
        malformedBodies,
        deeplyNested.map((s) => `${s}x`),
      )
      .map((text) => withBody(draft, { contentType: 'application/json', text }, 'malformed JSON')),
  'a content type that is not JSON': (draft, _ctx, route) =>
    fc
      .tuple(nonJsonTypes, fc.oneof(fc.constant(serialize(exampleOf(route))), malformedBodies))
      .map(([contentType, text]) =>
        withBody(
          draft,
          { ...(contentType !== undefined ? { contentType } : {}), text },
          `content type ${contentType}`,
        ),
      ),
};

const idempotencyPoison: Transform = (draft) =>
  badIdempotencyKeys.map((key) => withHeader(draft, 'idempotency-key', key, 'a malformed Idempotency-Key'));

/** Poisons of an action on an order (POST /orders/{id}/...), on top of the schema's. */
const actionPoisons = (unsucceedableOrder: (ctx: FuzzContext) => string): Record<string, Transform> => ({
  ...schemaPoisons,
  'a malformed Idempotency-Key': idempotencyPoison,
  'a malformed If-Match': (draft) =>
    garbageIfMatch.map((value) => withHeader(draft, 'if-match', value, 'a malformed If-Match')),
  'a stale If-Match': (draft) =>
    staleIfMatch.map((value) => withHeader(draft, 'if-match', value, 'a stale If-Match')),
  'an order that does not exist': (draft) =>
    fc
      .oneof(
        absentOrderId,
        wrongShapeOrderId,
        hostileSegment.filter((s) => !/^WO[0-9A-Z]{26}$/.test(s)),
      )
      .map((id) => withSlot(draft, '/orders/{id}', id, 'an order that does not exist')),
  // Without If-Match or Idempotency-Key, so that the hostile body reaches the domain's rules.
  'an order whose status allows no such action': (draft, ctx) => {
    const { 'if-match': _ifMatch, 'idempotency-key': _key, ...headers } = draft.headers;
    return fc.constant(
      withSlot(
        { ...draft, headers },
        '/orders/{id}',
        unsucceedableOrder(ctx),
        'an order whose status allows no such action',
      ),
    );
  },
});

/**
 * The poisons of each write route, by its function. A write route of a function missing here fails
 * the test: its poisons must be worked out from its rules first.
 */
export const poisonsOf = (route: HttpRouteSpec): Readonly<Record<string, Transform>> | undefined => {
  switch (`${route.function} ${route.method}`) {
    // No order action is allowed from `closed`, and the seeded closed order has no call-back at all.
    case 'orderActions POST':
      return actionPoisons((ctx) => ctx.orders.closed);
    // An order never dispatched to a unit is not assessed: all three decisions refuse it (409).
    case 'assessmentExclusions POST':
      return actionPoisons((ctx) => ctx.orders.awaitingDispatch);
    case 'createOrder POST':
      return {
        ...schemaPoisons,
        'a malformed Idempotency-Key': idempotencyPoison,
        'an unknown category': (draft, ctx) =>
          fc.constant(
            withBody(
              draft,
              {
                contentType: 'application/json',
                text: JSON.stringify({
                  ...(exampleBodies['POST /orders'] as object),
                  categoryCode: ctx.unknownCategory,
                }),
              },
              'an unknown category',
            ),
          ),
      };
    case 'catalogue PUT':
      return {
        ...schemaPoisons,
        'a malformed Idempotency-Key': idempotencyPoison,
        'a lead unit that does not exist': (draft) =>
          fc
            .oneof(hostileText(), absentOrderId)
            .filter((id) => !/^(st|gov|dept|ent)-/.test(id))
            .map((leadUnitId) =>
              withBody(
                draft,
                {
                  contentType: 'application/json',
                  text: JSON.stringify({ ...(exampleBodies['PUT /catalogue/lines'] as object), leadUnitId }),
                },
                'a lead unit that does not exist',
              ),
            ),
      };
    // The path names no line of the catalogue (the slot generator's values are checked against it).
    case 'catalogue DELETE':
      return { 'a line that does not exist': (draft) => fc.constant({ ...draft, poison: 'no such line' }) };
    case 'insights PUT':
      return {
        ...schemaPoisons,
        'a malformed Idempotency-Key': idempotencyPoison,
        'a month that is not one': (draft) =>
          fc
            .oneof(fc.constantFrom('2026-13', '2026-00', '26-12', '2026-1'), hostileSegment)
            .filter((m) => !validMonth.test(decodeURIComponentSafe(m)))
            .map((m) => withSlot(draft, '/insights/topics/{month}', m, 'a month that is not one')),
      };
    // No app has an Open311 key in this stack: every filing is refused before it is read.
    case 'open311 POST':
      return { 'no app key exists': (draft) => fc.constant({ ...draft, poison: 'no app key exists' }) };
    case 'open311Keys POST':
      return { ...schemaPoisons, 'a malformed Idempotency-Key': idempotencyPoison };
    // No key was ever created: every id names none.
    case 'open311Keys DELETE':
      return { 'a key never created': (draft) => fc.constant({ ...draft, poison: 'a key never created' }) };
    // A subscription's body is refused by its schema; so none exists, and every id names none.
    case 'pushSubscriptions POST':
      return route.path === '/units/{id}/subscriptions'
        ? { ...schemaPoisons, 'a malformed Idempotency-Key': idempotencyPoison }
        : {
            'a subscription never made': (draft) =>
              fc.constant({ ...draft, poison: 'a subscription never made' }),
          };
    case 'pushSubscriptions DELETE':
      return {
        'a subscription never made': (draft) =>
          fc.constant({ ...draft, poison: 'a subscription never made' }),
      };
    // No survey link was ever sent (every seeded requester is anonymous): any token is unknown.
    case 'survey POST':
      return { 'a link never sent': (draft) => fc.constant({ ...draft, poison: 'a link never sent' }) };
    default:
      return undefined;
  }
};

const decodeURIComponentSafe = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** The tokens a route's authorizer lets through (any, or none, on a public route). */
const tokenFor = (ctx: FuzzContext, route: HttpRouteSpec): fc.Arbitrary<string | undefined> => {
  if (route.roles === null)
    return fc.oneof(fc.constant(undefined), fc.constantFrom(...Object.values(ctx.tokens).flat()));
  return fc.constantFrom(...route.roles.flatMap((role) => ctx.tokens[role]));
};

/** A fuzzed request for `route`: hostile everywhere, and poisoned when it writes. */
export const requestFor = (ctx: FuzzContext, route: HttpRouteSpec): fc.Arbitrary<Draft> => {
  const slots = slotsOf(route.path);
  const missing = slots.filter((slot) => !slotGenerators[slot]);
  if (missing.length > 0) throw new Error(`No generator for ${missing.join(', ')} (${route.path})`);
  const slotArbitraries = Object.fromEntries(
    slots.map((slot) => [slot, (slotGenerators[slot] as SlotGenerator)(ctx, route)]),
  );
  const key = `${route.method} ${route.path}`;
  const exampleQuery = exampleQueries[key];
  const exampleBody = exampleBodies[key] ? exampleOf(route) : undefined;
  const base = fc.record({
    token: tokenFor(ctx, route),
    slots: fc.record(slotArbitraries),
    // Mostly near a valid query or body, so that the hostile part reaches past the schema.
    query: exampleQuery ? fc.oneof(mutatedQuery(exampleQuery), hostileQuery) : hostileQuery,
    headers: extraHeaders,
    body: exampleBody
      ? fc.oneof(
          { arbitrary: plausibleBody(exampleBody), weight: 2 },
          { arbitrary: anyBody(exampleBody), weight: 1 },
        )
      : anyBody(undefined),
    poison: fc.constant(''),
  });
  const draft = base.map(({ token, ...rest }) => ({ ...rest, ...(token !== undefined ? { token } : {}) }));
  if (route.method === 'GET') return draft;
  const poisons = poisonsOf(route);
  if (!poisons) throw new Error(`No poison for the write route ${route.method} ${route.path}`);
  const names = Object.keys(poisons);
  const poisoned = fc
    .tuple(draft, fc.constantFrom(...names))
    .chain(([d, name]) => (poisons[name] as Transform)(d, ctx, route));
  // DELETE /catalogue/lines/{c}/{a}: the path must name no line in force.
  return route.function === 'catalogue' && route.method === 'DELETE'
    ? poisoned.filter((d) => {
        const c = decodeURIComponentSafe(d.slots['/catalogue/lines/{categoryCode}'] ?? '');
        const a = decodeURIComponentSafe(d.slots['/catalogue/lines/{categoryCode}/{areaCode}'] ?? '');
        return !ctx.catalogueLines.has(`${c}|${a}`);
      })
    : poisoned;
};

/** Node's HTTP server refuses a head over 16 KB (431) before any route sees it: keep under it. */
const HEAD_BUDGET = 12_000;

/** The request on the wire. */
export const toRawRequest = (route: HttpRouteSpec, draft: Draft): RawRequest => {
  let path = route.path;
  for (const slot of slotsOf(route.path).reverse()) {
    const param = slot.slice(slot.lastIndexOf('{'));
    path = path.replace(param, () => draft.slots[slot] ?? '');
  }
  const headers: Record<string, string> = { ...draft.headers };
  if (draft.token) headers.authorization = `Bearer ${draft.token}`;
  if (draft.body.contentType !== undefined) headers['content-type'] = draft.body.contentType;
  const pairs = draft.query ? draft.query.split('&') : [];
  const target = () => (pairs.length > 0 ? `${path}?${pairs.join('&')}` : path);
  const headSize = () =>
    target().length + Object.entries(headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  if (headSize() > HEAD_BUDGET) delete headers['x-fuzz-padding'];
  // Then a long Idempotency-Key is cut to 129 characters (still too long, still refused)...
  const key = headers['idempotency-key'];
  if (headSize() > HEAD_BUDGET && key !== undefined && key.length > 129)
    headers['idempotency-key'] = key.slice(0, 129);
  // ...then the query's last parameters go, and the first is cut.
  while (headSize() > HEAD_BUDGET && pairs.length > 1) pairs.pop();
  if (headSize() > HEAD_BUDGET && pairs[0] !== undefined)
    pairs[0] = pairs[0].slice(0, Math.max(0, pairs[0].length - (headSize() - HEAD_BUDGET)));
  return {
    method: route.method,
    path: target(),
    headers,
    ...(draft.body.text !== undefined ? { body: draft.body.text } : {}),
  };
};
