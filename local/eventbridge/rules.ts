import { AwsServiceError } from '../aws-errors.ts';
import { isApiDestinationArn } from './api-destinations.ts';
import {
  type EventPattern,
  InvalidEventPattern,
  matchesPattern,
  parseEventPattern,
} from './event-pattern.ts';
import { isJsonPath, JsonPathError, parseJsonPath } from './json-path.ts';
import { type InputTransformerSpec, inputTemplateProblem } from './target-input.ts';
import {
  Constraints,
  EVENT_BUS_NAME_OR_ARN,
  HEADER_KEY,
  HEADER_VALUE,
  limitExceeded,
  NAME,
  notFound,
  PATH_PARAMETER,
  QUERY_KEY,
  QUERY_VALUE,
  TRANSFORMER_KEY,
  validation,
} from './validation.ts';

/**
 * The rules handlers put on the local bus at run time, and their targets (PutRule, DescribeRule,
 * DeleteRule, PutTargets, RemoveTargets, ListTargetsByRule), next to the rules of wiring/wiring.ts
 * that the bus has from the start. Like AWS (API reference and "Amazon EventBridge quotas"):
 * - a rule lives on an event bus: EventBusName (a name or an event-bus ARN; `default` when left out)
 *   must name the local bus, else ResourceNotFoundException; its ARN is
 *   `arn:aws:events:<region>:<account>:rule/<bus>/<name>`;
 * - PutRule creates or replaces the rule whole (targets stay); it needs an EventPattern, checked by
 *   local/eventbridge/event-pattern.ts (InvalidEventPatternException); a ScheduleExpression is refused
 *   on a custom bus ("supported only on the default event bus"); State is ENABLED (the default),
 *   DISABLED (never matches) or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS; 300 rules per bus;
 * - DeleteRule of a rule with targets is a ValidationException ("Rule can't be deleted since it has
 *   targets."), of a rule that does not exist a success;
 * - PutTargets checks every entry against the model, then refuses the request for a target that
 *   breaks a rule of the service (an API destination without RoleArn: "RoleArn is required for
 *   target <arn>."; more than one of Input, InputPath and InputTransformer; an InputTemplate that is
 *   not JSON once filled); up to 5 targets per rule (LimitExceededException); an entry whose Arn is
 *   not an ARN is answered in FailedEntries, the others are added or replace the target of their Id;
 * - RemoveTargets answers an Id the rule does not have in FailedEntries (ResourceNotFoundException).
 *
 * Unlike AWS (on purpose): the local bus delivers the targets of these rules only when they are API
 * destinations; a target of another kind is answered in FailedEntries with a message that says so.
 */
export const MAX_RULES_PER_BUS = 300;
export const MAX_TARGETS_PER_RULE = 5;

const RULE_STATES = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'] as const;

export interface StoredTarget {
  readonly Id: string;
  readonly Arn: string;
  readonly RoleArn?: string;
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: InputTransformerSpec;
  readonly HttpParameters?: {
    readonly PathParameterValues?: readonly string[];
    readonly HeaderParameters?: Readonly<Record<string, string>>;
    readonly QueryStringParameters?: Readonly<Record<string, string>>;
  };
  readonly RetryPolicy?: {
    readonly MaximumRetryAttempts?: number;
    readonly MaximumEventAgeInSeconds?: number;
  };
  readonly DeadLetterConfig?: { readonly Arn?: string };
}

export interface StoredRule {
  readonly Name: string;
  readonly Arn: string;
  readonly EventBusName: string;
  /** The pattern's JSON text, as PutRule got it (DescribeRule answers it unchanged). */
  readonly EventPattern: string;
  readonly State: (typeof RULE_STATES)[number];
  readonly Description?: string;
  readonly RoleArn?: string;
  targets: StoredTarget[];
}

export interface RulesState {
  readonly rules: readonly StoredRule[];
}

/** One target of a rule that matched an event. */
export interface MatchedTarget {
  readonly rule: StoredRule;
  readonly target: StoredTarget;
}

const pathProblem = (path: string): string | undefined => {
  try {
    parseJsonPath(path);
    return undefined;
  } catch (error) {
    if (error instanceof JsonPathError) return error.message;
    throw error;
  }
};

export class Rules {
  private readonly rules = new Map<string, StoredRule>();
  private readonly patterns = new Map<string, EventPattern>();

  constructor(
    private readonly options: {
      readonly busName: string;
      readonly region: string;
      readonly account: string;
      readonly onChange: () => void;
    },
  ) {}

  putRule(request: Record<string, unknown>) {
    const c = new Constraints();
    c.string(request.Name, 'name', { min: 1, max: 64, pattern: NAME, required: true });
    c.string(request.EventBusName, 'eventBusName', { min: 1, max: 1600, pattern: EVENT_BUS_NAME_OR_ARN });
    c.string(request.EventPattern, 'eventPattern', { max: 4096 });
    c.string(request.ScheduleExpression, 'scheduleExpression', { max: 256 });
    c.oneOf(request.State, 'state', RULE_STATES);
    c.string(request.Description, 'description', { max: 512 });
    c.string(request.RoleArn, 'roleArn', { min: 1, max: 1600 });
    c.check();
    const bus = this.busOf(request.EventBusName);
    const name = request.Name as string;
    if (request.ScheduleExpression !== undefined && request.ScheduleExpression !== '')
      throw validation('ScheduleExpression is supported only on the default event bus.');
    const text = request.EventPattern as string | undefined;
    if (text === undefined || text === '')
      throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    let pattern: EventPattern;
    try {
      pattern = parseEventPattern(text);
    } catch (error) {
      if (error instanceof InvalidEventPattern) throw new AwsServiceError(error.name, error.message, 400);
      throw error;
    }
    const existing = this.rules.get(name);
    if (!existing && this.rules.size >= MAX_RULES_PER_BUS)
      throw limitExceeded('The requested resource exceeds the maximum number allowed.');
    const rule: StoredRule = {
      Name: name,
      Arn: this.ruleArn(name),
      EventBusName: bus,
      EventPattern: text,
      State: (request.State as StoredRule['State'] | undefined) ?? 'ENABLED',
      ...(request.Description !== undefined ? { Description: request.Description as string } : {}),
      ...(request.RoleArn !== undefined ? { RoleArn: request.RoleArn as string } : {}),
      targets: existing?.targets ?? [],
    };
    this.rules.set(name, rule);
    this.patterns.set(name, pattern);
    this.options.onChange();
    return { RuleArn: rule.Arn };
  }

  describeRule(request: Record<string, unknown>) {
    const rule = this.requireRule(request.Name, request.EventBusName, 'name');
    return {
      Name: rule.Name,
      Arn: rule.Arn,
      EventPattern: rule.EventPattern,
      State: rule.State,
      ...(rule.Description !== undefined ? { Description: rule.Description } : {}),
      ...(rule.RoleArn !== undefined ? { RoleArn: rule.RoleArn } : {}),
      EventBusName: rule.EventBusName,
      CreatedBy: this.options.account,
    };
  }

  deleteRule(request: Record<string, unknown>): Record<string, never> {
    const c = new Constraints();
    c.string(request.Name, 'name', { min: 1, max: 64, pattern: NAME, required: true });
    c.string(request.EventBusName, 'eventBusName', { min: 1, max: 1600, pattern: EVENT_BUS_NAME_OR_ARN });
    c.check();
    this.busOf(request.EventBusName);
    const rule = this.rules.get(request.Name as string);
    // "If you call delete rule multiple times for the same rule, all calls will succeed."
    if (!rule) return {};
    if (rule.targets.length > 0) throw validation("Rule can't be deleted since it has targets.");
    this.rules.delete(rule.Name);
    this.patterns.delete(rule.Name);
    this.options.onChange();
    return {};
  }

  putTargets(request: Record<string, unknown>) {
    const c = new Constraints();
    c.string(request.Rule, 'rule', { min: 1, max: 64, pattern: NAME, required: true });
    c.string(request.EventBusName, 'eventBusName', { min: 1, max: 1600, pattern: EVENT_BUS_NAME_OR_ARN });
    const targets = request.Targets;
    if (c.list(targets, 'targets', { min: 1, max: 100, required: true }))
      targets.forEach((target, index) => {
        checkTarget(c, target, `targets.${index + 1}.member`);
      });
    c.check();
    const rule = this.requireRule(request.Rule, request.EventBusName, 'rule');
    const entries = targets as Record<string, unknown>[];
    for (const target of entries) checkTargetSemantics(target);

    const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    const accepted = new Map(rule.targets.map((t) => [t.Id, t]));
    for (const target of entries) {
      const id = target.Id as string;
      const arn = target.Arn as string;
      if (!/^arn:[^:]*:[^:]*:/.test(arn)) {
        failed.push({
          TargetId: id,
          ErrorCode: 'ValidationException',
          ErrorMessage: `Parameter ${arn} is not valid. Reason: Provided Arn is not in correct format.`,
        });
        continue;
      }
      if (!isApiDestinationArn(arn)) {
        failed.push({
          TargetId: id,
          ErrorCode: 'ValidationException',
          ErrorMessage: `The local bus delivers the targets of rules put at run time to API destinations only, not to ${arn}.`,
        });
        continue;
      }
      accepted.set(id, storedTarget(target));
    }
    if (accepted.size > MAX_TARGETS_PER_RULE)
      throw limitExceeded('The requested resource exceeds the maximum number allowed.');
    rule.targets = [...accepted.values()];
    this.options.onChange();
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  removeTargets(request: Record<string, unknown>) {
    const c = new Constraints();
    c.string(request.Rule, 'rule', { min: 1, max: 64, pattern: NAME, required: true });
    c.string(request.EventBusName, 'eventBusName', { min: 1, max: 1600, pattern: EVENT_BUS_NAME_OR_ARN });
    const ids = request.Ids;
    if (c.list(ids, 'ids', { min: 1, max: 100, required: true }))
      ids.forEach((id, index) => {
        c.string(id, `ids.${index + 1}.member`, { min: 1, max: 64, pattern: NAME, required: true });
      });
    c.check();
    const rule = this.requireRule(request.Rule, request.EventBusName, 'rule');
    const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    const remove = new Set<string>();
    for (const id of ids as string[]) {
      if (rule.targets.some((t) => t.Id === id)) remove.add(id);
      else
        failed.push({
          TargetId: id,
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: `Rule '${rule.Name}' does not have a target with the Id '${id}'.`,
        });
    }
    rule.targets = rule.targets.filter((t) => !remove.has(t.Id));
    this.options.onChange();
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  }

  listTargetsByRule(request: Record<string, unknown>) {
    const c = new Constraints();
    c.integer(request.Limit, 'limit', { min: 1, max: 100 });
    c.string(request.NextToken, 'nextToken', { min: 1, max: 2048 });
    c.check();
    const rule = this.requireRule(request.Rule, request.EventBusName, 'rule');
    let from = 0;
    if (request.NextToken !== undefined) {
      const decoded = Number(Buffer.from(request.NextToken as string, 'base64url').toString());
      if (!Number.isInteger(decoded) || decoded < 0) throw validation('The NextToken is not valid.');
      from = decoded;
    }
    const limit = (request.Limit as number | undefined) ?? 100;
    const page = rule.targets.slice(from, from + limit);
    const next = from + page.length;
    return {
      Targets: page,
      ...(next < rule.targets.length ? { NextToken: Buffer.from(String(next)).toString('base64url') } : {}),
    };
  }

  /** The targets of the enabled rules whose pattern matches the event (in the shape the static rules see). */
  matching(matched: unknown): MatchedTarget[] {
    const out: MatchedTarget[] = [];
    for (const rule of this.rules.values()) {
      if (rule.State === 'DISABLED' || rule.targets.length === 0) continue;
      const pattern = this.patterns.get(rule.Name);
      if (pattern && matchesPattern(pattern, matched))
        for (const target of rule.targets) out.push({ rule, target });
    }
    return out;
  }

  state(): RulesState {
    return { rules: [...this.rules.values()] };
  }

  load(state: Partial<RulesState>): void {
    for (const rule of state.rules ?? []) {
      this.rules.set(rule.Name, { ...rule, targets: [...rule.targets] });
      this.patterns.set(rule.Name, parseEventPattern(rule.EventPattern));
    }
  }

  private ruleArn(name: string): string {
    return `arn:aws:events:${this.options.region}:${this.options.account}:rule/${this.options.busName}/${name}`;
  }

  /** The bus a request names (a name or an event-bus ARN, `default` when left out): the local bus only. */
  private busOf(eventBusName: unknown): string {
    const name = typeof eventBusName === 'string' ? (eventBusName.split('/').at(-1) ?? '') : 'default';
    if (name !== this.options.busName) throw notFound(`Event bus ${name} does not exist.`);
    return name;
  }

  private requireRule(name: unknown, eventBusName: unknown, member: 'name' | 'rule'): StoredRule {
    const c = new Constraints();
    c.string(name, member, { min: 1, max: 64, pattern: NAME, required: true });
    c.string(eventBusName, 'eventBusName', { min: 1, max: 1600, pattern: EVENT_BUS_NAME_OR_ARN });
    c.check();
    const bus = this.busOf(eventBusName);
    const rule = this.rules.get(name as string);
    if (!rule) throw notFound(`Rule ${String(name)} does not exist on EventBus ${bus}.`);
    return rule;
  }
}

/** The model's constraints on one Target (`targets.N.member`). */
const checkTarget = (c: Constraints, target: unknown, at: string): void => {
  if (!c.object(target, at, true)) return;
  c.string(target.Id, `${at}.id`, { min: 1, max: 64, pattern: NAME, required: true });
  c.string(target.Arn, `${at}.arn`, { min: 1, max: 1600, required: true });
  c.string(target.RoleArn, `${at}.roleArn`, { min: 1, max: 1600 });
  c.string(target.Input, `${at}.input`, { max: 8192 });
  c.string(target.InputPath, `${at}.inputPath`, { max: 256 });
  const transformer = target.InputTransformer;
  if (c.object(transformer, `${at}.inputTransformer`)) {
    const paths = transformer.InputPathsMap;
    if (c.map(paths, `${at}.inputTransformer.inputPathsMap`, { max: 100 }))
      for (const [key, path] of Object.entries(paths)) {
        c.string(key, `${at}.inputTransformer.inputPathsMap.key`, {
          min: 1,
          max: 256,
          pattern: TRANSFORMER_KEY,
        });
        c.string(path, `${at}.inputTransformer.inputPathsMap.value`, { max: 256, required: true });
      }
    c.string(transformer.InputTemplate, `${at}.inputTransformer.inputTemplate`, {
      min: 1,
      max: 8192,
      required: true,
    });
  }
  const http = target.HttpParameters;
  if (c.object(http, `${at}.httpParameters`)) {
    const headers = http.HeaderParameters;
    if (c.map(headers, `${at}.httpParameters.headerParameters`))
      for (const [key, value] of Object.entries(headers)) {
        c.string(key, `${at}.httpParameters.headerParameters.key`, { max: 512, pattern: HEADER_KEY });
        c.string(value, `${at}.httpParameters.headerParameters.value`, {
          max: 512,
          pattern: HEADER_VALUE,
          required: true,
        });
      }
    const query = http.QueryStringParameters;
    if (c.map(query, `${at}.httpParameters.queryStringParameters`))
      for (const [key, value] of Object.entries(query)) {
        c.string(key, `${at}.httpParameters.queryStringParameters.key`, { max: 512, pattern: QUERY_KEY });
        c.string(value, `${at}.httpParameters.queryStringParameters.value`, {
          max: 512,
          pattern: QUERY_VALUE,
          required: true,
        });
      }
    const path = http.PathParameterValues;
    if (c.list(path, `${at}.httpParameters.pathParameterValues`, {}))
      path.forEach((value, index) => {
        c.string(value, `${at}.httpParameters.pathParameterValues.${index + 1}.member`, {
          pattern: PATH_PARAMETER,
          required: true,
        });
      });
  }
  const retry = target.RetryPolicy;
  if (c.object(retry, `${at}.retryPolicy`)) {
    c.integer(retry.MaximumRetryAttempts, `${at}.retryPolicy.maximumRetryAttempts`, { min: 0, max: 185 });
    c.integer(retry.MaximumEventAgeInSeconds, `${at}.retryPolicy.maximumEventAgeInSeconds`, {
      min: 60,
      max: 86_400,
    });
  }
  const dlq = target.DeadLetterConfig;
  if (c.object(dlq, `${at}.deadLetterConfig`))
    c.string(dlq.Arn, `${at}.deadLetterConfig.arn`, { min: 1, max: 1600 });
};

/** The service's own rules for a target, past the model's: the whole request is refused. */
const checkTargetSemantics = (target: Record<string, unknown>): void => {
  const id = target.Id as string;
  const arn = target.Arn as string;
  const inputs = ['Input', 'InputPath', 'InputTransformer'].filter((member) => target[member] !== undefined);
  if (inputs.length > 1)
    throw validation(`Only one of Input, InputPath, or InputTransformer can be specified for target ${id}.`);
  if (typeof target.Input === 'string') {
    try {
      JSON.parse(target.Input);
    } catch (error) {
      throw validation(`Parameter Input is not valid for target ${id}. Reason: ${(error as Error).message}`);
    }
  }
  if (typeof target.InputPath === 'string') {
    const problem = pathProblem(target.InputPath);
    if (problem) throw validation(`Parameter InputPath is not valid for target ${id}. Reason: ${problem}`);
  }
  const transformer = target.InputTransformer as InputTransformerSpec | undefined;
  if (transformer) {
    for (const [key, path] of Object.entries(transformer.InputPathsMap ?? {})) {
      const problem = pathProblem(path);
      if (problem)
        throw validation(`Parameter InputPathsMap is not valid for target ${id}. Reason: ${key}: ${problem}`);
    }
    const problem = inputTemplateProblem(
      transformer.InputTemplate,
      Object.keys(transformer.InputPathsMap ?? {}),
    );
    if (problem) throw validation(`Invalid InputTemplate for target ${id} : ${problem}`);
  }
  const http = target.HttpParameters as StoredTarget['HttpParameters'] | undefined;
  const dynamic = [
    ...Object.values(http?.HeaderParameters ?? {}),
    ...Object.values(http?.QueryStringParameters ?? {}),
    ...(http?.PathParameterValues ?? []),
  ].filter(isJsonPath);
  for (const path of dynamic) {
    const problem = pathProblem(path);
    if (problem)
      throw validation(`Parameter HttpParameters is not valid for target ${id}. Reason: ${problem}`);
  }
  if (isApiDestinationArn(arn) && target.RoleArn === undefined)
    throw validation(`RoleArn is required for target ${arn}.`);
  const dlq = (target.DeadLetterConfig as { Arn?: string } | undefined)?.Arn;
  if (dlq !== undefined && !/^arn:aws[a-z-]*:sqs:[^:]*:\d{12}:[\w-]+$/.test(dlq))
    throw validation(
      `Parameter DeadLetterConfig.Arn is not valid for target ${id}. Reason: It must be the ARN of a standard Amazon SQS queue.`,
    );
};

/** The target as ListTargetsByRule answers it: the members PutTargets got, nothing added. */
const storedTarget = (t: Record<string, unknown>): StoredTarget => {
  const http = t.HttpParameters as StoredTarget['HttpParameters'] | undefined;
  const transformer = t.InputTransformer as InputTransformerSpec | undefined;
  return {
    Id: t.Id as string,
    Arn: t.Arn as string,
    ...(t.RoleArn !== undefined ? { RoleArn: t.RoleArn as string } : {}),
    ...(t.Input !== undefined ? { Input: t.Input as string } : {}),
    ...(t.InputPath !== undefined ? { InputPath: t.InputPath as string } : {}),
    ...(transformer
      ? {
          InputTransformer: {
            ...(transformer.InputPathsMap ? { InputPathsMap: { ...transformer.InputPathsMap } } : {}),
            InputTemplate: transformer.InputTemplate,
          },
        }
      : {}),
    ...(http
      ? {
          HttpParameters: {
            ...(http.PathParameterValues ? { PathParameterValues: [...http.PathParameterValues] } : {}),
            ...(http.HeaderParameters ? { HeaderParameters: { ...http.HeaderParameters } } : {}),
            ...(http.QueryStringParameters
              ? { QueryStringParameters: { ...http.QueryStringParameters } }
              : {}),
          },
        }
      : {}),
    ...(t.RetryPolicy !== undefined ? { RetryPolicy: { ...(t.RetryPolicy as object) } } : {}),
    ...(t.DeadLetterConfig !== undefined ? { DeadLetterConfig: { ...(t.DeadLetterConfig as object) } } : {}),
  };
};
