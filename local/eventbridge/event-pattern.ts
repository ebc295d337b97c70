import { type JsonNode, JsonSyntaxError, jsonNodeOf, parseJsonText, RawJson } from './json-text.ts';
import { compilePattern, type PatternDialect, PatternError, type SubRule } from './pattern-compiler.ts';
import { matchesCompiled } from './pattern-matcher.ts';

/**
 * EventBridge's event-pattern language, for the local bus and the local event source mappings,
 * following AWS's own engine, aws/event-ruler (JsonRuleCompiler, Machine.rulesForJSONEvent), and the
 * EventBridge and Lambda docs ("Content filtering in Amazon EventBridge event patterns", "Comparison
 * operators for use in event patterns", "Control which events Lambda sends to your function"):
 * - `parseEventPattern` refuses what PutRule (InvalidEventPatternException) or
 *   CreateEventSourceMapping (InvalidParameterValueException) refuse, with event-ruler's reason;
 * - `matchesPattern` answers as EventBridge would, numbers compared exactly as doubles (numbers.ts),
 *   arrays crushed out and kept consistent (pattern-matcher.ts), addresses parsed (cidr.ts).
 * An event may carry JSON text (`new RawJson(detail)`) so that its numbers keep the text they were
 * sent with, as on AWS.
 *
 * Not emulated: event-ruler's complexity limit for wildcard-heavy rules (its threshold on AWS is not
 * documented) and Jackson's line and column in the messages (the path is given instead).
 */
export type EventPattern = { readonly [field: string]: unknown };

export type { PatternDialect };
export { RawJson };

export interface PatternOptions {
  /** `eventbridge` (a bus rule, the default) or `lambda` (an event source mapping's filter). */
  readonly dialect?: PatternDialect;
}

/** PutRule refuses patterns over 2048 characters unless the quota is raised (up to 4096); Lambda takes 4096. */
const MAX_LENGTH: Record<PatternDialect, number> = { eventbridge: 2048, lambda: 4096 };

export class InvalidEventPattern extends Error {
  override readonly name: string;
  constructor(
    /** event-ruler's reason, without the service's preamble. */
    readonly reason: string,
    readonly dialect: PatternDialect = 'eventbridge',
  ) {
    super(
      dialect === 'lambda'
        ? `Invalid filter pattern definition. Reason: ${reason}`
        : `Event pattern is not valid. Reason: ${reason}`,
    );
    this.name = dialect === 'lambda' ? 'InvalidParameterValueException' : 'InvalidEventPatternException';
  }
}

const compiled = new WeakMap<object, readonly SubRule[]>();

const compileText = (text: string, dialect: PatternDialect): readonly SubRule[] => {
  if (text.length > MAX_LENGTH[dialect])
    throw new InvalidEventPattern(`The pattern is longer than ${MAX_LENGTH[dialect]} characters`, dialect);
  try {
    return compilePattern(parseJsonText(text), dialect);
  } catch (error) {
    if (error instanceof PatternError)
      throw new InvalidEventPattern(
        error.path ? `${error.message} at "${error.path}"` : error.message,
        dialect,
      );
    if (error instanceof JsonSyntaxError)
      throw new InvalidEventPattern(`The pattern is not valid JSON: ${error.message}`, dialect);
    throw error;
  }
};

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
};

/**
 * Validates a pattern's JSON text as the service would and returns it parsed (frozen). Matching with
 * the returned object uses the text itself, duplicate keys and exact number texts included.
 */
export const parseEventPattern = (text: string, options: PatternOptions = {}): EventPattern => {
  const rules = compileText(text, options.dialect ?? 'eventbridge');
  const pattern = deepFreeze(JSON.parse(text) as EventPattern);
  compiled.set(pattern, rules);
  return pattern;
};

/** Whether the event matches; a pattern not made by parseEventPattern is validated (EventBridge) first. */
export const matchesPattern = (pattern: EventPattern, event: unknown): boolean => {
  let rules = compiled.get(pattern);
  if (!rules) {
    rules = compileText(JSON.stringify(pattern), 'eventbridge');
    compiled.set(pattern, rules);
  }
  let tree: JsonNode;
  try {
    tree = jsonNodeOf(event);
  } catch (error) {
    // A RawJson the strict parser refuses (beyond Jackson's limits, say): EventBridge would not take it.
    if (error instanceof JsonSyntaxError) return false;
    throw error;
  }
  return matchesCompiled(rules, tree);
};
