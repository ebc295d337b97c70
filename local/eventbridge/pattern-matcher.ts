import { inRange, ipAddressBytes } from './cidr.ts';
import type { JsonNode } from './json-text.ts';
import { comparableNumber } from './numbers.ts';
import type { Matcher, MatchValue, SubRule } from './pattern-compiler.ts';

/**
 * Matches an event against compiled sub-rules the way event-ruler's rulesForJSONEvent does
 * (Event.java, StructuredFinder.java, ArrayMembership.java, ByteMachine.java):
 * - the event is flattened into leaf values by dotted path: arrays are crushed out at any depth, and
 *   empty arrays and empty objects leave no value at all (so `exists: true` does not match them and
 *   `exists: false` does);
 * - each leaf remembers which element of which array it sits in; a sub-rule only matches through
 *   values that do not sit in different elements of one array ("array consistency");
 * - the sub-rule's fields are tried in sorted order, each value that matches narrowing the array
 *   elements the later fields may use; `exists: false` holds when no value consistent with those
 *   elements is there.
 */

/** Which element of which array (numbered in document order) a value sits in. */
type Membership = ReadonlyMap<number, number>;

interface Field {
  readonly value: MatchValue;
  readonly membership: Membership;
}

type Fields = ReadonlyMap<string, readonly Field[]>;

const leaf = (node: JsonNode & { kind: 'string' | 'number' | 'literal' }): MatchValue => {
  if (node.kind === 'string') return { text: `"${node.value}"`, isString: true, number: undefined };
  if (node.kind === 'number')
    return { text: node.text, isString: false, number: comparableNumber(node.text) };
  return { text: node.text, isString: false, number: undefined };
};

/** The event's leaf values by path, or undefined when the event is not an object. */
export const flattenEvent = (event: JsonNode): Fields | undefined => {
  if (event.kind !== 'object') return undefined;
  const fields = new Map<string, Field[]>();
  let arrays = 0;
  const add = (path: readonly string[], value: MatchValue, membership: Membership) => {
    const key = path.join('.');
    const list = fields.get(key) ?? [];
    list.push({ value, membership });
    fields.set(key, list);
  };
  const visit = (node: JsonNode, path: readonly string[], membership: Membership): void => {
    if (node.kind === 'object') {
      for (const [name, child] of node.entries) visit(child, [...path, name], membership);
    } else if (node.kind === 'array') {
      const id = arrays++;
      node.items.forEach((item, index) => {
        // Only objects and arrays take the element's index; a scalar shares its array's membership.
        const within = item.kind === 'object' || item.kind === 'array';
        visit(item, path, within ? new Map([...membership, [id, index]]) : membership);
      });
    } else add(path, leaf(node), membership);
  };
  visit(event, [], new Map());
  return fields;
};

/** ArrayMembership.checkArrayConsistency: the narrowed membership, or undefined if inconsistent. */
const consistent = (soFar: Membership, field: Membership): Membership | undefined => {
  let merged: Map<number, number> | undefined;
  for (const [array, index] of field) {
    const seen = soFar.get(array);
    if (seen === undefined) {
      merged ??= new Map(soFar);
      merged.set(array, index);
    } else if (seen !== index) return undefined;
  }
  return merged ?? soFar;
};

const matchesValue = (matcher: Matcher, value: MatchValue): boolean => {
  switch (matcher.kind) {
    case 'exact':
      return value.text === matcher.text;
    case 'numeric-equals':
      return value.number === matcher.value;
    case 'range': {
      const n = value.number;
      if (n === undefined) return false;
      const aboveBottom = matcher.openBottom ? n > matcher.bottom : n >= matcher.bottom;
      const belowTop = matcher.openTop ? n < matcher.top : n <= matcher.top;
      return aboveBottom && belowTop;
    }
    case 'ip': {
      if (!value.isString) return false;
      const ip = ipAddressBytes(value.text.slice(1, -1));
      return ip !== undefined && inRange(ip, matcher.range);
    }
    case 'prefix':
      return value.text.startsWith(matcher.text);
    case 'suffix':
      return value.text.endsWith(matcher.text);
    case 'regex':
      return matcher.regex.test(value.text);
    case 'exists':
      return matcher.exists;
    case 'anything-but':
      // Matches any present value it does not exclude: other types included (a string exclusion
      // matches a number, null or true), as event-ruler only fails an anything-but on a hit.
      return !matcher.empty && !matcher.excludes(value);
  }
};

const matchesSubRule = (rule: SubRule, fields: Fields): boolean => {
  const steps = [...rule.keys()].sort().map((path) => ({
    values: fields.get(path) ?? [],
    matchers: rule.get(path) ?? [],
    absence: (rule.get(path) ?? []).some((m) => m.kind === 'exists' && !m.exists),
  }));
  const walk = (step: number, membership: Membership): boolean => {
    const here = steps[step];
    if (!here) return true;
    const present = here.values.flatMap((field) => {
      const narrowed = consistent(membership, field.membership);
      return narrowed ? [{ field, narrowed }] : [];
    });
    if (here.absence && present.length === 0 && walk(step + 1, membership)) return true;
    return present.some(
      ({ field, narrowed }) =>
        here.matchers.some((m) => matchesValue(m, field.value)) && walk(step + 1, narrowed),
    );
  };
  return walk(0, new Map());
};

export const matchesCompiled = (rules: readonly SubRule[], event: JsonNode): boolean => {
  const fields = flattenEvent(event);
  return fields !== undefined && rules.some((rule) => matchesSubRule(rule, fields));
};
