import { cidrRange, type IpRange, looksLikeIp, singleAddress } from './cidr.ts';
import type { JsonNode } from './json-text.ts';
import { comparableNumber } from './numbers.ts';

/**
 * Compiles an event pattern the way event-ruler's JsonRuleCompiler does, refusing with its messages
 * what it refuses. A pattern becomes a list of sub-rules (one per branch of its `$or`s, which multiply
 * out), each a map from a dotted field path to the matchers of which one must match.
 *
 * Two dialects: `eventbridge` (rules on a bus: the whole of event-ruler) and `lambda` (filter criteria
 * of an event source mapping: only the operators Lambda's "Filter rule syntax" lists, and numbers as
 * exact values compared by their text, since "300, 300.0, and 3.0e2 are not considered equal").
 */
export type PatternDialect = 'eventbridge' | 'lambda';

export type Matcher =
  /** The value's text as event-ruler holds it: strings in quotes, numbers and literals as written. */
  | { readonly kind: 'exact'; readonly text: string }
  | { readonly kind: 'numeric-equals'; readonly value: number }
  | {
      readonly kind: 'range';
      readonly bottom: number;
      readonly openBottom: boolean;
      readonly top: number;
      readonly openTop: boolean;
    }
  | { readonly kind: 'ip'; readonly range: IpRange }
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'suffix'; readonly text: string }
  | { readonly kind: 'regex'; readonly regex: RegExp }
  | { readonly kind: 'exists'; readonly exists: boolean }
  | {
      readonly kind: 'anything-but';
      readonly excludes: (value: MatchValue) => boolean;
      readonly empty: boolean;
    };

/** A value of the event, as event-ruler sees it. */
export interface MatchValue {
  /** Strings in quotes (unescaped inside), numbers and literals as written. */
  readonly text: string;
  readonly isString: boolean;
  /** The double a number denotes, when event-ruler can compare it (see numbers.ts). */
  readonly number: number | undefined;
}

export type SubRule = ReadonlyMap<string, readonly Matcher[]>;

export class PatternError extends Error {
  override readonly name = 'PatternError';
  /** The dotted path of the field where the pattern went wrong, when inside one. */
  path: string | undefined;
}

const fail = (message: string): never => {
  throw new PatternError(message);
};

// Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP.
const reservedInOr = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

// What event-ruler's parser.getText() says of a token (for its messages).
const tokenText = (node: JsonNode | undefined): string => {
  if (node === undefined) return ']';
  switch (node.kind) {
    case 'object':
      return '{';
    case 'array':
      return '[';
    case 'string':
      return node.value;
    default:
      return node.text;
  }
};

const numberOrFail = (text: string): number =>
  comparableNumber(text) ?? fail(`Cannot compare number : ${text}`);

// ---- string matchers: built on the value as event-ruler holds it ('"' + text + '"') ------------------

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * EqualsIgnoreCaseParser: each UTF-16 unit of the pattern matches its lower- or its upper-case form
 * (Locale.ROOT). A lone surrogate unit is encoded by Java as '?', so an astral character in an
 * ignore-case pattern only matches "??": faithful to event-ruler.
 */
const ignoreCaseSource = (text: string): string => {
  let source = '';
  for (const unit of text.split('')) {
    const code = unit.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) {
      source += '\\?';
      continue;
    }
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    source += lower === upper ? escapeRegex(lower) : `(?:${escapeRegex(lower)}|${escapeRegex(upper)})`;
  }
  return source;
};

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

/** WildcardParser on '"' + text + '"': `*` is any run of characters, `\*` and `\\` are literal. */
const wildcardRegex = (text: string): RegExp => {
  const value = `"${text}"`;
  let source = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (c === '*') {
      if (value[i + 1] === '*')
        fail(`Consecutive wildcard characters at pos ${utf8Length(value.slice(0, i))}`);
      source += '[\\s\\S]*';
    } else if (c === '\\') {
      const next = value[i + 1];
      if (next !== '*' && next !== '\\')
        fail(`Invalid escape character at pos ${utf8Length(value.slice(0, i))}`);
      source += escapeRegex(next ?? '');
      i++;
    } else source += escapeRegex(c);
  }
  return new RegExp(`^${source}$`);
};

// ---- match expressions ----------------------------------------------------------------------------

interface Context {
  readonly dialect: PatternDialect;
}

const lambdaOnly = (context: Context, what: string) => {
  if (context.dialect === 'lambda') fail(`${what} is not in Lambda's filter rule syntax`);
};

const onlyKey = (entries: readonly unknown[], message = 'Only one key allowed in match expression') => {
  if (entries.length > 1) fail(message);
};

const TOO_MANY = 'Too many elements in numeric expression';

const numericExpression = (items: readonly JsonNode[]): Matcher => {
  const [first, second, third, fourth] = items;
  if (first?.kind !== 'string') return fail(`Invalid member in numeric match: ${tokenText(first)}`);
  const operator = first.value;
  const numberAt = (node: JsonNode | undefined, name: string): string =>
    node?.kind === 'number' ? node.text : fail(`Value of ${name} must be numeric`);
  const max = Number.MAX_VALUE;
  switch (operator) {
    case '=': {
      const text = numberAt(second, 'equals');
      if (items.length > 2) fail(TOO_MANY);
      return { kind: 'numeric-equals', value: numberOrFail(text) };
    }
    case '<':
    case '<=': {
      const text = numberAt(second, operator);
      if (items.length > 2) fail(TOO_MANY);
      return {
        kind: 'range',
        bottom: -max,
        openBottom: false,
        top: numberOrFail(text),
        openTop: operator === '<',
      };
    }
    case '>':
    case '>=': {
      const text = numberAt(second, operator);
      const openBottom = operator === '>';
      if (items.length === 2)
        return { kind: 'range', bottom: numberOrFail(text), openBottom, top: max, openTop: false };
      if (third?.kind !== 'string') return fail(`Bad value in numeric range: ${tokenText(third)}`);
      const upper = third.value;
      if (upper !== '<' && upper !== '<=') fail(`Bad numeric range operator: ${upper}`);
      const topText = numberAt(fourth, upper);
      if (items.length > 4) fail('Too many terms in numeric range expression');
      const bottom = numberOrFail(text);
      const top = numberOrFail(topText);
      if (!(bottom < top)) fail('Bottom must be less than top');
      return { kind: 'range', bottom, openBottom, top, openTop: upper === '<' };
    }
    default:
      return fail(`Unrecognized numeric range operator: ${operator}`);
  }
};

type AnythingButKind = 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard';

/** anything-but {equals-ignore-case | prefix | suffix | wildcard}: a string or a list of strings. */
const anythingButSet = (kind: AnythingButKind, spec: JsonNode): Matcher => {
  const wrongType = () =>
    fail(
      kind === 'equals-ignore-case'
        ? 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'
        : kind === 'wildcard'
          ? 'wildcard match pattern must be a string'
          : 'prefix/suffix match pattern must be a string',
    );
  const items = spec.kind === 'array' ? spec.items : [spec];
  const texts = items.map((item) => {
    if (item.kind !== 'string') return wrongType();
    if ((kind === 'prefix' || kind === 'suffix') && item.value === '') fail('Null prefix/suffix not allowed');
    return item.value;
  });
  const tests = texts.map((text): ((value: MatchValue) => boolean) => {
    if (kind === 'prefix') return (v) => v.text.startsWith(`"${text}`);
    if (kind === 'suffix') return (v) => v.text.endsWith(`${text}"`);
    const regex = kind === 'wildcard' ? wildcardRegex(text) : new RegExp(`^"${ignoreCaseSource(text)}"$`);
    return (v) => regex.test(v.text);
  });
  return { kind: 'anything-but', excludes: (v) => tests.some((t) => t(v)), empty: texts.length === 0 };
};

/** anything-but with a string, a number, or a list of only strings or only numbers. */
const anythingButValues = (spec: JsonNode): Matcher => {
  const items = spec.kind === 'array' ? spec.items : [spec];
  const strings = new Set<string>();
  const numbers = new Set<number>();
  for (const item of items) {
    if (item.kind === 'string') strings.add(`"${item.value}"`);
    else if (item.kind === 'number') numbers.add(numberOrFail(item.text));
    else
      fail(
        spec.kind === 'array'
          ? 'Inside anything but list, start|null|boolean is not supported.'
          : 'Inside anything-but list, start|null|boolean is not supported.',
      );
  }
  if (strings.size > 0 === numbers.size > 0)
    fail('Inside anything but list, either all values are number or string, mixed type is not supported');
  // A string exclusion never excludes a number and the other way round: both then match.
  return {
    kind: 'anything-but',
    excludes: (v) => strings.has(v.text) || (v.number !== undefined && numbers.has(v.number)),
    empty: false,
  };
};

const anythingBut = (context: Context, spec: JsonNode, outerKeys: number): Matcher => {
  let matcher: Matcher;
  if (spec.kind === 'object') {
    const [first] = spec.entries;
    if (!first) return fail('Anything-But expression name not found');
    const [kind, inner] = first;
    if (kind !== 'equals-ignore-case' && kind !== 'prefix' && kind !== 'suffix' && kind !== 'wildcard')
      return fail(`Unsupported anything-but pattern: ${kind}`);
    lambdaOnly(context, `anything-but with ${kind}`);
    if (inner.kind !== 'array' && inner.kind !== 'string' && inner.kind !== 'number')
      fail('Value of anything-but must be an array or single string/number value.');
    matcher = anythingButSet(kind, inner);
    onlyKey(spec.entries, TOO_MANY);
  } else {
    if (spec.kind !== 'array' && spec.kind !== 'string' && spec.kind !== 'number')
      fail('Value of anything-but must be an array or single string/number value.');
    matcher = anythingButValues(spec);
  }
  if (outerKeys > 1) fail(TOO_MANY);
  return matcher;
};

/** prefix/suffix given { "equals-ignore-case": "…" }. */
const ignoreCaseAffix = (
  context: Context,
  operator: 'prefix' | 'suffix',
  spec: JsonNode & { kind: 'object' },
) => {
  const [first] = spec.entries;
  const name = operator === 'prefix' ? 'Prefix' : 'Suffix';
  if (!first) return fail(`${name} expression name not found`);
  if (first[0] !== 'equals-ignore-case') fail(`Unsupported ${operator} pattern: ${first[0]}`);
  lambdaOnly(context, `${operator} with equals-ignore-case`);
  const value = first[1];
  if (value.kind !== 'string') return fail('equals-ignore-case match pattern must be a string');
  onlyKey(spec.entries);
  const source = ignoreCaseSource(value.value);
  return operator === 'prefix' ? new RegExp(`^"${source}`) : new RegExp(`${source}"$`);
};

const matchExpression = (context: Context, node: JsonNode & { kind: 'object' }): Matcher => {
  const [first] = node.entries;
  if (!first) return fail('Match expression name not found');
  const [operator, spec] = first;
  const stringOrFail = (message: string) => (spec.kind === 'string' ? spec.value : fail(message));
  switch (operator) {
    case 'exactly': {
      lambdaOnly(context, 'exactly');
      const text = stringOrFail('exact match pattern must be a string');
      onlyKey(node.entries);
      return { kind: 'exact', text: `"${text}"` };
    }
    case 'prefix':
    case 'suffix': {
      if (spec.kind === 'object') {
        const regex = ignoreCaseAffix(context, operator, spec);
        onlyKey(node.entries);
        return { kind: 'regex', regex };
      }
      const text = stringOrFail(`${operator} match pattern must be a string`);
      onlyKey(node.entries);
      return operator === 'prefix'
        ? { kind: 'prefix', text: `"${text}` }
        : { kind: 'suffix', text: `${text}"` };
    }
    case 'numeric': {
      if (spec.kind !== 'array') return fail('Value of numeric must be an array.');
      const matcher = numericExpression(spec.items);
      onlyKey(node.entries, TOO_MANY);
      return matcher;
    }
    case 'anything-but':
      return anythingBut(context, spec, node.entries.length);
    case 'exists': {
      if (spec.kind !== 'literal' || spec.text === 'null')
        return fail('exists match pattern must be either true or false.');
      onlyKey(node.entries);
      return { kind: 'exists', exists: spec.text === 'true' };
    }
    case 'cidr': {
      lambdaOnly(context, 'cidr');
      // sic: event-ruler's message for a cidr that is not a string.
      const text = stringOrFail('prefix match pattern must be a string');
      const range = (() => {
        try {
          return cidrRange(text);
        } catch (error) {
          return fail((error as Error).message);
        }
      })();
      onlyKey(node.entries);
      return { kind: 'ip', range };
    }
    case 'equals-ignore-case': {
      const text = stringOrFail('equals-ignore-case match pattern must be a string');
      onlyKey(node.entries);
      return { kind: 'regex', regex: new RegExp(`^"${ignoreCaseSource(text)}"$`) };
    }
    case 'wildcard': {
      lambdaOnly(context, 'wildcard');
      const regex = wildcardRegex(stringOrFail('wildcard match pattern must be a string'));
      onlyKey(node.entries);
      return { kind: 'regex', regex };
    }
    default:
      return fail(`Unrecognized match type ${operator}`);
  }
};

/** The list of a field: values (exact, or an address) and match expressions. */
const matchers = (context: Context, list: JsonNode & { kind: 'array' }): Matcher[] => {
  const result: Matcher[] = [];
  for (const item of list.items) {
    switch (item.kind) {
      case 'object':
        result.push(matchExpression(context, item));
        break;
      case 'string': {
        // An exact value that is an IP address matches that address however it is written.
        const address =
          context.dialect === 'eventbridge' && looksLikeIp(item.value) && singleAddress(item.value);
        result.push(address ? { kind: 'ip', range: address } : { kind: 'exact', text: `"${item.value}"` });
        break;
      }
      case 'number': {
        // Both the number and its text: an account number beyond a double's precision still matches itself.
        const value = context.dialect === 'eventbridge' ? comparableNumber(item.text) : undefined;
        if (value !== undefined) result.push({ kind: 'numeric-equals', value });
        result.push({ kind: 'exact', text: item.text });
        break;
      }
      case 'literal':
        result.push({ kind: 'exact', text: item.text });
        break;
      default:
        fail('Match value must be String, number, true, false, or null');
    }
  }
  if (result.length === 0) fail('Empty arrays are not allowed');
  return result;
};

// ---- structure: objects, arrays of matchers, $or ----------------------------------------------------

type Rules = Map<string, readonly Matcher[]>[];

const parseObject = (
  context: Context,
  rules: Rules,
  path: readonly string[],
  node: JsonNode & { kind: 'object' },
  insideOr: boolean,
): void => {
  for (const [name, value] of node.entries) {
    if (name === '$or') {
      parseOr(context, rules, path, value);
      continue;
    }
    const here = [...path, name];
    try {
      if (insideOr && reservedInOr.has(name))
        fail(`${name} is Ruler reserved fieldName which cannot be used inside $or.`);
      if (value.kind === 'object') parseObject(context, rules, here, value, insideOr);
      else if (value.kind === 'array') {
        const list = matchers(context, value);
        if (rules.length === 0) rules.push(new Map());
        // A path given twice keeps its last list (JsonRuleCompiler's default "withOverriding").
        for (const rule of rules) rule.set(here.join('.'), list);
      } else fail(`"${name}" must be an object or an array`);
    } catch (error) {
      if (error instanceof PatternError) error.path ??= here.join('.');
      throw error;
    }
  }
  if (node.entries.length === 0) fail('Empty objects are not allowed');
};

/** Each branch of an $or forks every sub-rule built so far (parseIntoOrRelationship). */
const parseOr = (context: Context, rules: Rules, path: readonly string[], node: JsonNode): void => {
  if (node.kind !== 'array') throw new PatternError('It must be an Array followed with $or.');
  const before = rules.map((rule) => new Map(rule));
  rules.length = 0;
  for (const branch of node.items) {
    if (branch.kind !== 'object') fail('Only JSON object is allowed in array of $or relationship.');
    const forked = before.length === 0 ? [new Map()] : before.map((rule) => new Map(rule));
    parseObject(context, forked, path, branch as JsonNode & { kind: 'object' }, true);
    rules.push(...forked);
  }
  if (node.items.length < 2) fail('There must have at least 2 Objects in $or relationship.');
};

export const compilePattern = (root: JsonNode, dialect: PatternDialect): readonly SubRule[] => {
  if (root.kind !== 'object') return fail('Filter is not an object');
  const rules: Rules = [];
  parseObject({ dialect }, rules, [], root, false);
  return rules;
};
