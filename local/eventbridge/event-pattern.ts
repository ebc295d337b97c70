/**
 * EventBridge's event-pattern language, for the local bus (no npm library implements it). It follows
 * AWS's documented semantics ("Content filtering in Amazon EventBridge event patterns", "Comparison
 * operators for use in event patterns"):
 * - every field of the pattern must match (AND); the values listed for a field are alternatives (OR);
 * - a leaf matches by exact value (strings, numbers, booleans, null), or by `prefix`, `suffix`,
 *   `equals-ignore-case`, `anything-but` (a value, a list, or prefix / suffix / equals-ignore-case /
 *   wildcard), `numeric` (one or two comparisons), `exists`, `wildcard` and `cidr` (IPv4);
 * - `$or` holds sub-patterns of which one must match, at any level;
 * - when the event's value is an array, the pattern matches if any of its elements matches.
 * `parseEventPattern` refuses malformed patterns, as PutRule does.
 */
export type EventPattern = {
  readonly [field: string]: readonly unknown[] | EventPattern | readonly EventPattern[];
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export class InvalidEventPattern extends Error {
  override readonly name = 'InvalidEventPatternException';
}

// ---- leaf matchers -----------------------------------------------------------------------------------

const wildcardRegex = (pattern: string): RegExp => {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      source += `\\${pattern[i + 1]}`;
      i++;
    } else if (c === '*') source += '.*';
    else source += c.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
};

const ipv4ToNumber = (ip: string): number | undefined => {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
};

const inCidr = (value: unknown, cidr: string): boolean => {
  if (typeof value !== 'string') return false;
  const [network, bits] = cidr.split('/');
  const base = ipv4ToNumber(network ?? '');
  const ip = ipv4ToNumber(value);
  const prefix = bits === undefined ? 32 : Number(bits);
  if (base === undefined || ip === undefined) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(ip / size) === Math.floor(base / size);
};

const compare: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
};

const numericMatches = (value: unknown, spec: readonly unknown[]): boolean => {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < spec.length; i += 2) {
    const op = compare[String(spec[i])];
    if (!op?.(value, Number(spec[i + 1]))) return false;
  }
  return true;
};

/** The string tests that prefix, suffix and anything-but share: a plain value, or equals-ignore-case. */
const textTest =
  (spec: unknown, test: (value: string, expected: string) => boolean) =>
  (value: unknown): boolean => {
    if (typeof value !== 'string') return false;
    if (isObject(spec) && typeof spec['equals-ignore-case'] === 'string') {
      return test(value.toLowerCase(), spec['equals-ignore-case'].toLowerCase());
    }
    return typeof spec === 'string' && test(value, spec);
  };

/** Whether one leaf matcher matches one present value. */
const leafMatches = (matcher: unknown, value: unknown): boolean => {
  if (!isObject(matcher)) return matcher === value;
  const [operator] = Object.keys(matcher);
  const spec = matcher[operator ?? ''];
  switch (operator) {
    case 'prefix':
      return textTest(spec, (v, e) => v.startsWith(e))(value);
    case 'suffix':
      return textTest(spec, (v, e) => v.endsWith(e))(value);
    case 'equals-ignore-case':
      return (
        typeof value === 'string' && typeof spec === 'string' && value.toLowerCase() === spec.toLowerCase()
      );
    case 'wildcard':
      return typeof value === 'string' && typeof spec === 'string' && wildcardRegex(spec).test(value);
    case 'numeric':
      return numericMatches(value, spec as unknown[]);
    case 'cidr':
      return inCidr(value, String(spec));
    case 'anything-but': {
      if (Array.isArray(spec))
        return !spec.includes(value) && (typeof value === 'string' || typeof value === 'number');
      if (isObject(spec)) {
        const [inner] = Object.keys(spec);
        if (inner === 'prefix')
          return typeof value === 'string' && !leafMatches({ prefix: spec.prefix }, value);
        if (inner === 'suffix')
          return typeof value === 'string' && !leafMatches({ suffix: spec.suffix }, value);
        if (inner === 'wildcard')
          return typeof value === 'string' && !leafMatches({ wildcard: spec.wildcard }, value);
        if (inner === 'equals-ignore-case') {
          const values = [spec[inner]].flat() as string[];
          return typeof value === 'string' && !values.some((v) => v.toLowerCase() === value.toLowerCase());
        }
        return false;
      }
      return value !== spec && (typeof value === 'string' || typeof value === 'number');
    }
    default:
      return false;
  }
};

/** A field's list of alternatives against the event's value there (which may be missing or an array). */
const fieldMatches = (alternatives: readonly unknown[], present: boolean, value: unknown): boolean =>
  alternatives.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) return matcher.exists === present;
    if (!present) return false;
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => leafMatches(matcher, v));
  });

// ---- the pattern ------------------------------------------------------------------------------------

export const matchesPattern = (pattern: EventPattern, event: unknown): boolean =>
  Object.entries(pattern).every(([field, expected]) => {
    if (field === '$or')
      return (expected as readonly EventPattern[]).some((sub) => matchesPattern(sub, event));
    const container = isObject(event) ? event : {};
    const present = Object.hasOwn(container, field);
    const value = container[field];
    if (Array.isArray(expected)) return fieldMatches(expected, present, value);
    // A nested pattern: the event's value is an object there (or an array of objects, any of which).
    if (!present)
      return Object.values(expected as EventPattern).every(
        (e) => Array.isArray(e) && fieldMatches(e, false, undefined),
      );
    const candidates = Array.isArray(value) ? value : [value];
    return candidates.some((candidate) => matchesPattern(expected as EventPattern, candidate));
  });

// ---- validation (PutRule refuses what EventBridge would not accept) -----------------------------------

const operators = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'numeric',
  'cidr',
  'anything-but',
  'exists',
]);

const validateMatcher = (matcher: unknown, path: string): void => {
  if (!isObject(matcher)) {
    if (matcher !== null && !['string', 'number', 'boolean'].includes(typeof matcher)) {
      throw new InvalidEventPattern(
        `${path}: a match value is a string, number, boolean, null or an operator object`,
      );
    }
    return;
  }
  const keys = Object.keys(matcher);
  const [operator] = keys;
  if (keys.length !== 1 || operator === undefined || !operators.has(operator)) {
    throw new InvalidEventPattern(`${path}: unknown operator ${JSON.stringify(keys)}`);
  }
  const spec = matcher[operator];
  if (operator === 'numeric') {
    const list = spec as unknown[];
    const ok =
      Array.isArray(list) &&
      (list.length === 2 || list.length === 4) &&
      list.every((v, i) => (i % 2 === 0 ? typeof v === 'string' && v in compare : typeof v === 'number'));
    if (!ok)
      throw new InvalidEventPattern(`${path}: numeric takes one or two comparisons like [">", 0, "<=", 5]`);
  }
  if (operator === 'exists' && typeof spec !== 'boolean')
    throw new InvalidEventPattern(`${path}: exists is true or false`);
  if ((operator === 'wildcard' || operator === 'cidr') && typeof spec !== 'string') {
    throw new InvalidEventPattern(`${path}: ${operator} takes a string`);
  }
  if (operator === 'wildcard' && String(spec).includes('**'))
    throw new InvalidEventPattern(`${path}: consecutive wildcards`);
};

export const parseEventPattern = (text: string): EventPattern => {
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch {
    throw new InvalidEventPattern('The event pattern is not valid JSON');
  }
  const validate = (node: unknown, path: string): void => {
    if (!isObject(node) || Object.keys(node).length === 0)
      throw new InvalidEventPattern(`${path}: a pattern is a non-empty object`);
    for (const [field, value] of Object.entries(node)) {
      const here = path ? `${path}.${field}` : field;
      if (field === '$or') {
        if (!Array.isArray(value) || value.length < 2)
          throw new InvalidEventPattern(`${here}: $or takes at least two patterns`);
        for (const [i, sub] of value.entries()) validate(sub, `${here}[${i}]`);
      } else if (Array.isArray(value)) {
        if (value.length === 0) throw new InvalidEventPattern(`${here}: an empty list matches nothing`);
        for (const [i, m] of value.entries()) validateMatcher(m, `${here}[${i}]`);
      } else validate(value, here);
    }
  };
  validate(pattern, '');
  return pattern as EventPattern;
};
