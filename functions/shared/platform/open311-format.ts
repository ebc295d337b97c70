import { XMLBuilder } from 'fast-xml-parser';
import { type ApiEvent, type ApiResult, bodyTextOf } from '#shared/platform/http.ts';

/**
 * Open311's two formats. A resource is named with its format (`services.xml`, `requests/WO….json`);
 * XML is what the spec requires, JSON its "Spark convention" mapping of the same document: a list is
 * a JSON array where XML has a root element around one element per item (`<services><service>`), and
 * so are the lists inside an item (`<formats><format>`). Null is an empty element (`<address_id/>`),
 * booleans are `true`/`false`. UTF-8 everywhere, with the XML declaration saying so, as the spec asks.
 */
export type Open311Format = 'xml' | 'json';

/** `services.xml` → `{ name: 'services', format: 'xml' }`; anything else (no or another suffix) → undefined. */
export const resourceOf = (raw: string | undefined): { name: string; format: Open311Format } | undefined => {
  const match = /^(.+)\.(xml|json)$/.exec(raw ?? '');
  return match?.[1] && (match[2] === 'xml' || match[2] === 'json')
    ? { name: match[1], format: match[2] }
    : undefined;
};

/** The element name of one item of a list, by the list's name. */
const itemNames: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  attributes: 'attribute',
  values: 'value',
};

const builder = new XMLBuilder({
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  processEntities: true,
});

/** A value in the element tree fast-xml-parser builds: lists wrapped, nulls empty, scalars as text. */
const toXmlTree = (value: unknown): unknown => {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(toXmlTree);
  if (typeof value === 'object') {
    const tree: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      tree[key] = Array.isArray(inner)
        ? { [itemNames[key] ?? 'item']: inner.map(toXmlTree) }
        : toXmlTree(inner);
    }
    return tree;
  }
  return String(value);
};

/** The document `root` holding `body` (a list or an object) in the format asked for. */
export const renderOpen311 = (
  format: Open311Format,
  root: string,
  body: unknown,
  statusCode = 200,
): ApiResult => {
  if (format === 'json') {
    return {
      statusCode,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    };
  }
  const content = Array.isArray(body)
    ? { [itemNames[root] ?? 'item']: body.map(toXmlTree) }
    : toXmlTree(body);
  // An empty list is an empty root element, not a missing one.
  const xml = builder.build({ [root]: Array.isArray(body) && body.length === 0 ? '' : content }) as string;
  return {
    statusCode,
    headers: { 'content-type': 'text/xml; charset=utf-8' },
    body: `<?xml version="1.0" encoding="utf-8"?>\n${xml}`,
  };
};

export interface Open311Error {
  readonly code: string;
  readonly description: string;
}

/** The spec's error document: a list of `{ code, description }`, with its HTTP status. */
export const renderOpen311Errors = (
  format: Open311Format,
  statusCode: number,
  errors: readonly Open311Error[],
  headers: Record<string, string> = {},
): ApiResult => {
  const result = renderOpen311(format, 'errors', errors, statusCode);
  return { ...result, headers: { ...result.headers, ...headers } };
};

/** The fields of a form POST (decoded from base64 as API Gateway sends it), or undefined for another body. */
export const formOf = (event: ApiEvent): URLSearchParams | undefined => {
  const type = (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded' ? new URLSearchParams(bodyTextOf(event)) : undefined;
};
