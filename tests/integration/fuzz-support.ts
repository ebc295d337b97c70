import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import type { StackProcess } from './local-stack-process.ts';

/**
 * The fuzz test's plumbing (not a test file itself): a raw HTTP client that sends what `fetch` refuses
 * to (a body on GET, any header), the error codes docs/api.md documents, the check every answer must
 * pass, and a snapshot of everything a request could change.
 */
export interface RawRequest {
  readonly method: string;
  /** Path and query, already percent-encoded as they go on the wire. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface RawResponse {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

export const send = (baseUrl: string, req: RawRequest): Promise<RawResponse> =>
  new Promise((resolveResponse, reject) => {
    const url = new URL(baseUrl);
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    const outgoing = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolveResponse({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });

/** Every `ERROR_CODE` docs/api.md and docs/open311.md name in backticks. */
export const documentedCodes = (): ReadonlySet<string> => {
  const docs = ['api.md', 'open311.md'].map((name) =>
    readFileSync(resolve(import.meta.dirname, '../../docs', name), 'utf8'),
  );
  return new Set(
    docs.flatMap((doc) => [...doc.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`/g)].map((m) => m[1] as string)),
  );
};

/** Open311's error document (a list of `{ code, description }`, as JSON or XML): its codes, or undefined. */
const open311ErrorCodes = (response: RawResponse): string[] | undefined => {
  if (response.contentType.startsWith('text/xml')) {
    const errors = [
      ...response.text.matchAll(
        /<error>\s*<code>([^<]*)<\/code>\s*<description>[^<]+<\/description>\s*<\/error>/g,
      ),
    ];
    return response.text.startsWith('<?xml') && /<errors>/.test(response.text) && errors.length > 0
      ? errors.map((m) => m[1] as string)
      : undefined;
  }
  try {
    const body: unknown = JSON.parse(response.text);
    if (!Array.isArray(body) || body.length === 0) return undefined;
    const valid = body.every(
      (e) => isRecord(e) && typeof e.code === 'string' && typeof e.description === 'string',
    );
    return valid ? body.map((e) => (e as { code: string }).code) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * API Gateway's own answers (docs/api.md): 401 and 403 from the authorizer, 404 for a path that no
 * route matches. They keep its `{ message }` shape.
 */
const gatewayAnswers: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

/** Why an answer breaks the API's contract for a refused or accepted request; undefined if it keeps it. */
export const contractBreach = (
  response: RawResponse,
  codes: ReadonlySet<string>,
  options: { mustRefuse: boolean; open311?: boolean },
): string | undefined => {
  if (response.status >= 500) return `answered ${response.status}`;
  if (response.status < 400)
    return options.mustRefuse ? `accepted a hostile write (${response.status})` : undefined;
  const open311 = options.open311 ? open311ErrorCodes(response) : undefined;
  if (open311) {
    const undocumented = open311.filter((code) => !codes.has(code));
    return undocumented.length > 0
      ? `a ${response.status} with the undocumented code ${undocumented[0]}`
      : undefined;
  }
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return `a ${response.status} whose body is not JSON`;
  }
  const gateway = gatewayAnswers[response.status];
  if (gateway && isRecord(body) && Object.keys(body).length === 1 && body.message === gateway)
    return undefined;
  const error = isRecord(body) ? body.error : undefined;
  if (!isRecord(error) || typeof error.code !== 'string' || typeof error.message !== 'string')
    return `a ${response.status} without { error: { code, message } }`;
  if (!codes.has(error.code)) return `a ${response.status} with the undocumented code ${error.code}`;
  return undefined;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Everything a request could have changed: every item of every table of DynamoDB Local, and what the
 * local stack keeps outside it (bus events, schedules, outbox, dead letters), each as sorted JSON.
 */
export type Snapshot = Readonly<Record<string, readonly string[]>>;

export const snapshot = async (
  stack: StackProcess,
  localPaths: readonly string[] = [],
): Promise<Snapshot> => {
  const db = new DynamoDBClient({
    endpoint: stack.dynamoEndpoint,
    region: 'local',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const parts: Record<string, string[]> = {};
  const { TableNames = [] } = await db.send(new ListTablesCommand({}));
  for (const table of TableNames) {
    const items: string[] = [];
    for await (const page of paginateScan({ client: db }, { TableName: table, ConsistentRead: true }))
      for (const item of page.Items ?? []) items.push(canonical(item));
    parts[`table ${table}`] = items.sort();
  }
  db.destroy();
  const kept = ['/_local/events', '/_local/schedules', '/_local/outbox', '/_local/dead-letters'];
  for (const path of [...kept, ...localPaths]) {
    const response = await stack.api('GET', path);
    const body = response.body as Record<string, unknown>;
    const items = Array.isArray(body.items) ? body.items : [body];
    parts[path] = items.map(canonical).sort();
  }
  return parts;
};

/** JSON with object keys sorted, so that equal items compare equal. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );

/** What differs between two snapshots, one line per added or removed entry (cut short). */
export const differences = (before: Snapshot, after: Snapshot): string[] => {
  const lines: string[] = [];
  for (const part of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = new Set(before[part] ?? []);
    const is = new Set(after[part] ?? []);
    for (const entry of was) if (!is.has(entry)) lines.push(`${part} lost ${entry.slice(0, 300)}`);
    for (const entry of is) if (!was.has(entry)) lines.push(`${part} gained ${entry.slice(0, 300)}`);
  }
  return lines;
};

/** Waits until two snapshots in a row are equal: the lifecycle and the bus have settled. */
export const settledSnapshot = async (
  stack: StackProcess,
  localPaths: readonly string[] = [],
  timeoutMs = 60_000,
): Promise<Snapshot> => {
  const deadline = Date.now() + timeoutMs;
  let previous = await snapshot(stack, localPaths);
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const current = await snapshot(stack, localPaths);
    if (differences(previous, current).length === 0) return current;
    if (Date.now() > deadline)
      throw new Error(`The stack did not settle:\n${differences(previous, current).join('\n')}`);
    previous = current;
  }
};
