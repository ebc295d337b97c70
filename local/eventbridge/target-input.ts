import { isJsonPath, type JsonPath, parseJsonPath, readJsonPath } from './json-path.ts';

/**
 * What a rule's target receives, as EventBridge builds it ("Transforming target input", the Target
 * and InputTransformer API reference): the whole matched event; or `Input`, a constant JSON text; or
 * the value at `InputPath`; or `InputTransformer`'s template filled with the values at its
 * `InputPathsMap` paths and the predefined variables (`aws.events.rule-arn`, `aws.events.rule-name`,
 * `aws.events.event`, `aws.events.event.ingestion-time`, `aws.events.event.json`).
 *
 * Template filling follows the documented examples: a variable outside quotes in a JSON template
 * takes its JSON value (`"instance": <instance>` gives `"instance": "i-0123"`); inside quotes it
 * takes the bare text of a string (EventBridge does not escape it) and the JSON of anything else; a
 * variable whose path is not in the event "isn't created and won't appear in the output" (it becomes
 * nothing). A JSON template's result is minified; one that is no longer JSON (a missing variable
 * outside quotes, a string value with a quote) fails with INVALID_JSON, one of the error codes
 * EventBridge puts on dead letters.
 */
export interface InputTransformerSpec {
  readonly InputPathsMap?: Readonly<Record<string, string>>;
  readonly InputTemplate: string;
}

export interface TargetInputSpec {
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: InputTransformerSpec;
}

export interface RuleContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** When the bus received the event (ISO 8601). */
  readonly ingestionTime: string;
}

export type RenderedInput =
  | { readonly ok: true; readonly body: string }
  | { readonly ok: false; readonly code: 'INVALID_JSON'; readonly message: string };

export const PREDEFINED_VARIABLES = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event',
  'aws.events.event.ingestion-time',
  'aws.events.event.json',
] as const;

const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/y;

/** A template is JSON when it reads as an object, an array or a string (the rest is plain text). */
const isJsonTemplate = (template: string): boolean => /^\s*[[{"]/.test(template);

/** Fills `<name>` placeholders whose name `lookUp` knows (undefined: not a variable, left as written). */
const fillTemplate = (
  template: string,
  lookUp: (name: string) => { readonly known: boolean; readonly value: unknown },
): string => {
  const json = isJsonTemplate(template);
  let out = '';
  let inString = !json;
  for (let at = 0; at < template.length; ) {
    const c = template[at] as string;
    if (json && inString && c === '\\') {
      out += template.slice(at, at + 2);
      at += 2;
      continue;
    }
    if (json && c === '"') {
      inString = !inString;
      out += c;
      at++;
      continue;
    }
    if (c === '<') {
      PLACEHOLDER.lastIndex = at;
      const match = PLACEHOLDER.exec(template);
      const name = match?.[1];
      const variable = name === undefined ? undefined : lookUp(name);
      if (variable?.known) {
        const { value } = variable;
        if (value !== undefined) out += inString && typeof value === 'string' ? value : JSON.stringify(value);
        at = PLACEHOLDER.lastIndex;
        continue;
      }
    }
    out += c;
    at++;
  }
  return out;
};

/**
 * Why PutTargets refuses a template, or undefined: a JSON template must stay JSON with its variables
 * filled (a variable as an object key, or unbalanced braces, do not), as EventBridge checks it.
 */
export const inputTemplateProblem = (template: string, variables: readonly string[]): string | undefined => {
  if (!isJsonTemplate(template)) return undefined;
  const names = new Set<string>([...variables, ...PREDEFINED_VARIABLES]);
  const filled = fillTemplate(template, (name) => ({ known: names.has(name), value: null }));
  try {
    JSON.parse(filled);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

/** The body the target gets for one matched event (the event as EventBridge delivers it). */
export const renderTargetInput = (
  spec: TargetInputSpec,
  event: Readonly<Record<string, unknown>>,
  context: RuleContext,
): RenderedInput => {
  if (spec.Input !== undefined) return { ok: true, body: JSON.stringify(JSON.parse(spec.Input)) };
  if (spec.InputPath !== undefined) {
    const value = readJsonPath(event, parseJsonPath(spec.InputPath));
    return { ok: true, body: value === undefined ? '' : JSON.stringify(value) };
  }
  const transformer = spec.InputTransformer;
  if (!transformer) return { ok: true, body: JSON.stringify(event) };
  const paths = new Map<string, JsonPath>(
    Object.entries(transformer.InputPathsMap ?? {}).map(([name, path]) => [name, parseJsonPath(path)]),
  );
  const predefined: Record<(typeof PREDEFINED_VARIABLES)[number], unknown> = {
    'aws.events.rule-arn': context.ruleArn,
    'aws.events.rule-name': context.ruleName,
    'aws.events.event': event,
    'aws.events.event.ingestion-time': context.ingestionTime,
    'aws.events.event.json': JSON.stringify(event),
  };
  const filled = fillTemplate(transformer.InputTemplate, (name) => {
    if (Object.hasOwn(predefined, name))
      return { known: true, value: predefined[name as keyof typeof predefined] };
    const path = paths.get(name);
    return path ? { known: true, value: readJsonPath(event, path) } : { known: false, value: undefined };
  });
  if (!isJsonTemplate(transformer.InputTemplate)) return { ok: true, body: filled };
  try {
    return { ok: true, body: JSON.stringify(JSON.parse(filled)) };
  } catch (error) {
    return {
      ok: false,
      code: 'INVALID_JSON',
      message: `The input transformer's output is not valid JSON: ${(error as Error).message}`,
    };
  }
};

/**
 * A header, query string or path parameter value: a JSON path into the event (`$.detail.unit`) is
 * read per event (a string as it is, anything else as JSON; undefined when the event has none), any
 * other value is sent as written.
 */
export const parameterValue = (
  value: string,
  event: Readonly<Record<string, unknown>>,
): string | undefined => {
  if (!isJsonPath(value)) return value;
  const found = readJsonPath(event, parseJsonPath(value));
  if (found === undefined) return undefined;
  return typeof found === 'string' ? found : JSON.stringify(found);
};
