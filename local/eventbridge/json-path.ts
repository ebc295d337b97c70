/**
 * The JSON paths EventBridge reads from an event for a target's input (`InputPath`, the values of
 * `InputTransformer.InputPathsMap`) and for the dynamic values of `HttpParameters` (`$.detail.unit`):
 * `$` and then members in dot notation (`$.detail.order-id`) or bracket notation (`$['detail-type']`,
 * `$.resources[0]`). Wildcards, filters and recursive descent are refused: EventBridge's paths name
 * one value (PutTargets: "you must use JSON dot notation, not bracket notation" for InputTransformer).
 */
export type JsonPath = readonly (string | number)[];

export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
}

const DOT_MEMBER = /\.([^.[\]\s*]+)/y;
const BRACKET_INDEX = /\[(\d+)\]/y;
const BRACKET_MEMBER = /\[(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\]/y;

/** Parses a path; throws JsonPathError with the reason when it is not one EventBridge can read. */
export const parseJsonPath = (text: string): JsonPath => {
  if (!text.startsWith('$')) throw new JsonPathError(`The path ${text} does not start with $`);
  const steps: (string | number)[] = [];
  let at = 1;
  const take = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = at;
    const match = re.exec(text);
    if (match) at = re.lastIndex;
    return match;
  };
  while (at < text.length) {
    const dot = take(DOT_MEMBER);
    if (dot?.[1] !== undefined) {
      steps.push(dot[1]);
      continue;
    }
    const index = take(BRACKET_INDEX);
    if (index?.[1] !== undefined) {
      steps.push(Number(index[1]));
      continue;
    }
    const member = take(BRACKET_MEMBER);
    if (member) {
      steps.push((member[1] ?? member[2] ?? '').replace(/\\(.)/g, '$1'));
      continue;
    }
    throw new JsonPathError(`The path ${text} is not valid at offset ${at}`);
  }
  return steps;
};

/** Whether a string is meant as a path into the event (HttpParameters values: `$.detail.x`). */
export const isJsonPath = (text: string): boolean => text === '$' || /^\$[.[]/.test(text);

/** The value at the path, or undefined when the event has none there. */
export const readJsonPath = (value: unknown, path: JsonPath): unknown => {
  let current: unknown = value;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) return undefined;
      current = current[step];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      if (!Object.hasOwn(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
};
