/**
 * JSON as event-ruler reads it (Jackson's streaming parser): numbers keep the text they were written
 * with, and an object keeps every member, duplicates included, in order. `JSON.parse` loses both:
 * 9007199254740993 becomes 9007199254740992, and `{"a": …, "a": …}` keeps only the last member.
 */
export type JsonNode =
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, JsonNode])[] }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'literal'; readonly text: 'true' | 'false' | 'null' };

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

/** JSON text placed inside a JavaScript value (an event's `detail`): it is matched as written. */
export class RawJson {
  constructor(readonly text: string) {}
}

// Jackson's default StreamReadConstraints, which bound what event-ruler accepts.
const MAX_DEPTH = 1000;
const MAX_NUMBER_LENGTH = 1000;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters in a string.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SPACE = /[ \t\n\r]*/y;

/** Parses strict JSON (RFC 8259) into a tree that keeps number texts and duplicate keys. */
export const parseJsonText = (text: string): JsonNode => {
  let at = 0;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at offset ${at}`);
  };
  const skip = () => {
    SPACE.lastIndex = at;
    SPACE.exec(text);
    at = SPACE.lastIndex;
  };
  const token = (re: RegExp): string | undefined => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return undefined;
    at = re.lastIndex;
    return m[0];
  };
  const string = (): string => {
    const raw = token(STRING);
    return raw === undefined ? fail('Expected a string') : (JSON.parse(raw) as string);
  };
  const value = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail(`Nesting deeper than ${MAX_DEPTH}`);
    skip();
    const c = text[at];
    if (c === '{') {
      at++;
      const entries: [string, JsonNode][] = [];
      skip();
      if (text[at] === '}') {
        at++;
        return { kind: 'object', entries };
      }
      for (;;) {
        skip();
        const key = string();
        skip();
        if (text[at] !== ':') fail("Expected ':'");
        at++;
        entries.push([key, value(depth + 1)]);
        skip();
        if (text[at] === ',') at++;
        else if (text[at] === '}') {
          at++;
          return { kind: 'object', entries };
        } else fail("Expected ',' or '}'");
      }
    }
    if (c === '[') {
      at++;
      const items: JsonNode[] = [];
      skip();
      if (text[at] === ']') {
        at++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        skip();
        if (text[at] === ',') at++;
        else if (text[at] === ']') {
          at++;
          return { kind: 'array', items };
        } else fail("Expected ',' or ']'");
      }
    }
    if (c === '"') return { kind: 'string', value: string() };
    for (const literal of ['true', 'false', 'null'] as const) {
      if (text.startsWith(literal, at)) {
        at += literal.length;
        return { kind: 'literal', text: literal };
      }
    }
    const number = token(NUMBER);
    if (number === undefined) return fail('Unexpected character');
    if (number.length > MAX_NUMBER_LENGTH) fail(`Number longer than ${MAX_NUMBER_LENGTH} characters`);
    return { kind: 'number', text: number };
  };
  const root = value(0);
  skip();
  if (at !== text.length) fail('Unexpected content after the JSON value');
  return root;
};

/**
 * A JavaScript value as JSON.stringify would write it, without writing it: members that are
 * undefined or functions are left out, non-finite numbers become null, `toJSON` is honoured, and a
 * RawJson anywhere inside is parsed as written.
 */
export const jsonNodeOf = (value: unknown): JsonNode => {
  if (value instanceof RawJson) return parseJsonText(value.text);
  if (value === null) return { kind: 'literal', text: 'null' };
  if (typeof value === 'boolean') return { kind: 'literal', text: value ? 'true' : 'false' };
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'number')
    return Number.isFinite(value)
      ? { kind: 'number', text: String(value) }
      : { kind: 'literal', text: 'null' };
  if (typeof value === 'bigint') return { kind: 'number', text: value.toString() };
  if (typeof value === 'object') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return jsonNodeOf(toJSON.call(value));
    if (Array.isArray(value))
      return {
        kind: 'array',
        items: value.map((item) =>
          item === undefined || typeof item === 'function' || typeof item === 'symbol'
            ? ({ kind: 'literal', text: 'null' } as const)
            : jsonNodeOf(item),
        ),
      };
    return {
      kind: 'object',
      entries: Object.entries(value)
        .filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol')
        .map(([k, v]) => [k, jsonNodeOf(v)] as const),
    };
  }
  return { kind: 'literal', text: 'null' };
};
