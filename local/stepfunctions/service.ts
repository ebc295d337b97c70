import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AwsServiceError } from '../aws-errors.ts';
import { executionEndEvent, numberEvents, type UnnumberedEvent } from './history.ts';
import {
  lengthConstraintMessage,
  MAX_EXECUTION_MS,
  MAX_HISTORY_EVENTS,
  MAX_PAYLOAD_BYTES,
  notRedrivableReason,
  redrivePoint,
  utf8Length,
} from './limits.ts';
import type { ExternalTimersRun, FromWorker, ServiceCall, TerminalStatus, ToWorker } from './protocol.ts';

/**
 * The local Step Functions service: the API the handlers call through the AWS SDK (StartExecution,
 * SendTaskSuccess ...), answered from executions run by the interpreter worker. Execution records
 * and their histories are kept on disk, so the auditor's view survives a restart; executions that were
 * running when the stack stopped are redriven on start (their tasks read the order from DynamoDB, the
 * source of truth, so they carry on where the order is).
 *
 * The service holds executions to Step Functions' quotas for Standard workflows (local/stepfunctions/
 * limits.ts): 256 KiB payloads, 25,000 history events, one year of execution, and RedriveExecution's
 * rules. Only the current run of a running execution writes to its history: once its end event is in,
 * nothing more is appended (a task answered late, a timer of a stopped run) until a redrive.
 */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: number;
  /** The client tokens of recent redrives (RedriveExecution is idempotent for 15 minutes per token). */
  redriveTokens?: { token: string; at: number }[];
  /** The run the history takes events from (each start, redrive or resume is a new run). */
  runId?: number;
  events: UnnumberedEvent[];
}

export interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  /** The ASL with every `${...}` already substituted. */
  readonly definition: string;
}

export interface LocalStepFunctionsOptions {
  readonly workerFile: string;
  readonly stateMachines: readonly StateMachineRecord[];
  /** Where execution records are kept; undefined keeps them in memory only. */
  readonly dataDir?: string;
  readonly now: () => number;
  /** The worker moved virtual time to `ms` (before firing the timers due then). */
  readonly onTime: (ms: number) => void;
  /** Performs a Task's service call (lambda:invoke, events:putEvents, dynamodb:*). */
  readonly call: (call: ServiceCall) => Promise<unknown>;
  /**
   * Runs the timers the main thread owns (EventBridge Scheduler) that are due at `now`, an instant
   * an advance has reached; the advance waits for it, and steps next to the earlier of the
   * interpreter's next timer and the `next` answered here. None: the interpreter's timers only.
   */
  readonly externalTimers?: (now: number) => Promise<ExternalTimersRun>;
}

interface TokenState {
  readonly executionArn: string;
  readonly stateName: string;
  closed?: 'completed' | 'timedOut' | 'ended';
}

const executionNamePattern = /^[A-Za-z0-9_-]{1,80}$/;
const TOKEN_PREFIX = 'LOCALTOKEN.';
const CLIENT_TOKEN_TTL_MS = 15 * 60_000;
const MAX_TASK_ERROR_LENGTH = 256;
const MAX_TASK_CAUSE_LENGTH = 32_768;

/** A request string over its length constraint, as Step Functions answers it. */
const checkLength = (field: string, value: string | undefined, max: number): void => {
  if (value !== undefined && utf8Length(value) > max)
    throw new AwsServiceError('ValidationException', lengthConstraintMessage(field, max));
};

const taskGone = () =>
  new AwsServiceError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");

const endStatus: Record<string, TerminalStatus> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionAborted: 'ABORTED',
  ExecutionTimedOut: 'TIMED_OUT',
};

export class LocalStepFunctions {
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly tokens = new Map<string, TokenState>();
  private readonly advances = new Map<number, () => void>();
  private nextAdvanceId = 1;
  private nextRunId = 1;
  private readonly dirty = new Set<string>();
  private readonly endWaiters = new Map<string, (() => void)[]>();

  private constructor(
    private readonly options: LocalStepFunctionsOptions,
    private readonly worker: Worker,
  ) {}

  static async start(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
    const worker = new Worker(options.workerFile, { workerData: { now: options.now() } });
    const service = new LocalStepFunctions(options, worker);
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (message: FromWorker) => {
        if (message.type === 'ready') resolve();
        else reject(new Error(`Unexpected first message from the interpreter worker: ${message.type}`));
      });
    });
    worker.on('message', (message: FromWorker) => service.onMessage(message));
    worker.on('error', (error) => console.error('Interpreter worker failed:', error));
    service.load();
    return service;
  }

  async close(): Promise<void> {
    this.flush();
    await this.worker.terminate();
  }

  // ---- the Step Functions API ----------------------------------------------------------------------

  startExecution(request: { stateMachineArn?: string; name?: string; input?: string }): {
    executionArn: string;
    startDate: number;
  } {
    checkLength('input', request.input, MAX_PAYLOAD_BYTES);
    const machine = this.options.stateMachines.find((m) => m.arn === request.stateMachineArn);
    if (!machine)
      throw new AwsServiceError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${request.stateMachineArn}'`,
      );
    const name = request.name ?? randomUUID();
    if (!executionNamePattern.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    const input = request.input ?? '{}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new AwsServiceError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // Standard workflows: the same name and input while running is idempotent; anything else is not.
      if (existing.status === 'RUNNING' && existing.input === input)
        return { executionArn, startDate: existing.startDate };
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      startDate: this.options.now(),
      input,
      redriveCount: 0,
      events: [],
    };
    this.executions.set(executionArn, record);
    this.run(record, machine, { input: parsed });
    // Answered means it exists, as on AWS: on disk before the answer, so a crash right after (the
    // intake answered 201) cannot lose it; histories may still trail by the flush delay.
    this.flush();
    return { executionArn, startDate: record.startDate };
  }

  /**
   * RedriveExecution: a FAILED, TIMED_OUT or ABORTED execution continues from the state that did not
   * complete, with the input it had, under the same ARN; its history goes on after an ExecutionRedriven
   * event. Idempotent per client token (the SDK sends one) for 15 minutes.
   */
  redriveExecution(request: { executionArn?: string; clientToken?: string }): { redriveDate: number } {
    if (request.clientToken !== undefined && !/^[!-~]{1,64}$/.test(request.clientToken))
      throw new AwsServiceError(
        'ValidationException',
        "1 validation error detected: Value at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [!-~]+",
      );
    const record = this.require(request.executionArn ?? '');
    const now = this.options.now();
    record.redriveTokens = (record.redriveTokens ?? []).filter((t) => now - t.at < CLIENT_TOKEN_TTL_MS);
    if (request.clientToken && record.redriveTokens.some((t) => t.token === request.clientToken))
      return { redriveDate: (record.redriveDate ?? now) / 1000 };
    const machine = this.options.stateMachines.find((m) => m.arn === record.stateMachineArn);
    const reason = machine
      ? notRedrivableReason({ ...record, eventCount: record.events.length }, now)
      : 'State machine is in DELETING status.';
    if (reason || !machine)
      throw new AwsServiceError('ExecutionNotRedrivable', `Execution Not Redrivable: '${reason}'`);
    const point = redrivePoint(record.events, JSON.parse(machine.definition), JSON.parse(record.input));
    record.status = 'RUNNING';
    delete record.stopDate;
    delete record.output;
    delete record.error;
    delete record.cause;
    record.redriveCount += 1;
    record.redriveDate = now;
    if (request.clientToken)
      record.redriveTokens = [...record.redriveTokens, { token: request.clientToken, at: now }].slice(-10);
    this.run(record, machine, { input: point.input, startAt: point.startAt });
    return { redriveDate: now / 1000 };
  }

  describeExecution(executionArn: string) {
    const record = this.require(executionArn);
    const reason = this.notRedrivable(record);
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate / 1000,
      ...(record.stopDate && record.status !== 'RUNNING' ? { stopDate: record.stopDate / 1000 } : {}),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.cause !== undefined ? { cause: record.cause } : {}),
      redriveCount: record.redriveCount,
      ...(record.redriveDate !== undefined ? { redriveDate: record.redriveDate / 1000 } : {}),
      redriveStatus: reason ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
      ...(reason ? { redriveStatusReason: reason } : {}),
    };
  }

  /** GetExecutionHistory: events oldest first (or newest first), paged by an opaque token. */
  getExecutionHistory(request: {
    executionArn?: string;
    maxResults?: number;
    nextToken?: string;
    reverseOrder?: boolean;
  }) {
    const record = this.require(request.executionArn ?? '');
    const all = numberEvents(record.events);
    const ordered = request.reverseOrder ? [...all].reverse() : all;
    const max = Math.min(Math.max(request.maxResults || 100, 1), 1000);
    const offset = request.nextToken ? Number(Buffer.from(request.nextToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new AwsServiceError('InvalidToken', 'Invalid Token');
    const events = ordered
      .slice(offset, offset + max)
      .map((e) => ({ ...e, timestamp: Date.parse(e.timestamp) / 1000 }));
    const next =
      offset + max < ordered.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
    return { events, ...(next ? { nextToken: next } : {}) };
  }

  listExecutions(request: {
    stateMachineArn?: string;
    statusFilter?: ExecutionStatus;
    maxResults?: number;
    redriveFilter?: 'REDRIVEN' | 'NOT_REDRIVEN';
  }) {
    const executions = [...this.executions.values()]
      .filter(
        (e) =>
          e.stateMachineArn === request.stateMachineArn &&
          (!request.statusFilter || e.status === request.statusFilter) &&
          (!request.redriveFilter || (request.redriveFilter === 'REDRIVEN') === e.redriveCount > 0),
      )
      .sort((a, b) => b.startDate - a.startDate)
      .slice(0, request.maxResults || 100)
      .map((e) => ({
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate / 1000,
        ...(e.stopDate && e.status !== 'RUNNING' ? { stopDate: e.stopDate / 1000 } : {}),
        redriveCount: e.redriveCount,
        ...(e.redriveDate !== undefined ? { redriveDate: e.redriveDate / 1000 } : {}),
      }));
    return { executions };
  }

  sendTaskSuccess(request: { taskToken?: string; output?: string }): Record<string, never> {
    checkLength('output', request.output, MAX_PAYLOAD_BYTES);
    const token = this.openToken(request.taskToken);
    let output: unknown;
    try {
      output = JSON.parse(request.output ?? 'null');
    } catch {
      throw new AwsServiceError('InvalidOutput', 'Invalid Output: not JSON');
    }
    token.closed = 'completed';
    this.send({ type: 'taskResult', token: request.taskToken ?? '', ok: true, output });
    return {};
  }

  sendTaskFailure(request: { taskToken?: string; error?: string; cause?: string }): Record<string, never> {
    checkLength('error', request.error, MAX_TASK_ERROR_LENGTH);
    checkLength('cause', request.cause, MAX_TASK_CAUSE_LENGTH);
    const token = this.openToken(request.taskToken);
    token.closed = 'completed';
    this.send({
      type: 'taskResult',
      token: request.taskToken ?? '',
      ok: false,
      error: request.error ?? '',
      cause: request.cause ?? '',
    });
    return {};
  }

  sendTaskHeartbeat(request: { taskToken?: string }): Record<string, never> {
    this.openToken(request.taskToken);
    this.send({ type: 'heartbeat', token: request.taskToken ?? '' });
    return {};
  }

  /** StopExecution: the execution is ABORTED at once (its run winds down in the worker, unrecorded). */
  stopExecution(request: { executionArn?: string; error?: string; cause?: string }) {
    checkLength('error', request.error, MAX_TASK_ERROR_LENGTH);
    checkLength('cause', request.cause, MAX_TASK_CAUSE_LENGTH);
    const record = this.require(request.executionArn ?? '');
    const now = this.options.now();
    if (record.status === 'RUNNING') {
      this.append(
        record,
        executionEndEvent('ExecutionAborted', now, { error: request.error, cause: request.cause }),
      );
      this.send({ type: 'stop', executionArn: record.executionArn, runId: record.runId ?? 0 });
    }
    return { stopDate: (record.stopDate ?? now) / 1000 };
  }

  // ---- time --------------------------------------------------------------------------------------------

  /** Moves the interpreter's time to `target`, firing every timer due on the way, each at its instant. */
  advanceTo(target: number): Promise<void> {
    const id = this.nextAdvanceId++;
    return new Promise<void>((resolve) => {
      this.advances.set(id, resolve);
      this.send({ type: 'advance', id, target });
    });
  }

  /** Resolves when the execution is no longer running (for tests and the demo loader). */
  whenEnded(executionArn: string): Promise<void> {
    const record = this.executions.get(executionArn);
    if (record?.status !== 'RUNNING') return Promise.resolve();
    return new Promise((resolve) =>
      this.endWaiters.set(executionArn, [...(this.endWaiters.get(executionArn) ?? []), resolve]),
    );
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  private require(executionArn: string): ExecutionRecord {
    const record = this.executions.get(executionArn);
    if (!record)
      throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  private openToken(taskToken: string | undefined): TokenState {
    if (!taskToken?.startsWith(TOKEN_PREFIX))
      throw new AwsServiceError('InvalidToken', "Invalid Token: 'Invalid token'");
    const token = this.tokens.get(taskToken);
    // A task that timed out, was answered, or whose execution ended (or whose run a restart dropped).
    if (!token || token.closed) throw taskGone();
    return token;
  }

  /** Why RedriveExecution would refuse the execution now, if it would. */
  private notRedrivable(record: ExecutionRecord): string | undefined {
    if (!this.options.stateMachines.some((m) => m.arn === record.stateMachineArn))
      return 'State machine is in DELETING status.';
    return notRedrivableReason({ ...record, eventCount: record.events.length }, this.options.now());
  }

  /** Starts a run of the execution in the worker: from the top, from a redrive point, or after a restart. */
  private run(
    record: ExecutionRecord,
    machine: StateMachineRecord,
    from: { input: unknown; startAt?: string },
  ): void {
    record.runId = this.nextRunId++;
    this.markDirty(record.executionArn);
    this.send({
      type: 'start',
      executionArn: record.executionArn,
      runId: record.runId,
      stateMachineArn: machine.arn,
      definition: machine.definition,
      input: from.input,
      executionInput: JSON.parse(record.input),
      startTime: record.startDate,
      ...(from.startAt ? { startAt: from.startAt } : {}),
      priorEvents: record.events.length,
      deadline: record.startDate + MAX_EXECUTION_MS,
    });
  }

  /** Appends an event of the current run; an end event ends the execution. */
  private append(record: ExecutionRecord, event: UnnumberedEvent): void {
    if (record.status !== 'RUNNING' || record.events.length >= MAX_HISTORY_EVENTS) return;
    record.events.push(event);
    this.markDirty(record.executionArn);
    const status = endStatus[event.type];
    if (status) this.end(record, status, event);
  }

  /** The execution's end, as its end event says (AWS reports no error or cause for a time-out). */
  private end(record: ExecutionRecord, status: TerminalStatus, event: UnnumberedEvent) {
    record.status = status;
    record.stopDate = Date.parse(event.timestamp);
    const details = (Object.entries(event).find(([k]) => k.endsWith('EventDetails'))?.[1] ?? {}) as {
      output?: string;
      error?: string;
      cause?: string;
    };
    if (status === 'SUCCEEDED') record.output = details.output ?? 'null';
    if (status === 'FAILED' || status === 'ABORTED') {
      if (details.error !== undefined) record.error = details.error;
      if (details.cause !== undefined) record.cause = details.cause;
    }
    for (const token of this.tokens.values())
      if (token.executionArn === record.executionArn && !token.closed) token.closed = 'ended';
    this.markDirty(record.executionArn);
    this.flush();
    for (const resolve of this.endWaiters.get(record.executionArn) ?? []) resolve();
    this.endWaiters.delete(record.executionArn);
  }

  /** The record a message of the worker is about, if that message comes from its current run. */
  private current(executionArn: string, runId: number): ExecutionRecord | undefined {
    const record = this.executions.get(executionArn);
    return record?.status === 'RUNNING' && record.runId === runId ? record : undefined;
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'call':
        this.options.call(message.call).then(
          (value) => {
            this.send({ type: 'callResult', id: message.id, ok: true, value });
          },
          (error: unknown) =>
            this.send({
              type: 'callResult',
              id: message.id,
              ok: false,
              error: error instanceof Error ? error.name : 'Error',
              cause: error instanceof Error ? error.message : String(error),
            }),
        );
        return;
      case 'history': {
        const record = this.current(message.executionArn, message.runId);
        if (!record) return;
        // A redriven run starts the interpreter again; AWS's history shows that as ExecutionRedriven.
        if (message.event.type === 'ExecutionStarted' && record.events.length > 0) {
          this.append(record, {
            type: 'ExecutionRedriven',
            timestamp: message.event.timestamp,
            executionRedrivenEventDetails: { redriveCount: record.redriveCount },
          });
        } else {
          this.append(record, message.event);
        }
        return;
      }
      case 'tokenOpened':
        // A token of a run that already ended is known, and gone: answering it is TaskTimedOut.
        this.tokens.set(message.token, {
          executionArn: message.executionArn,
          stateName: message.stateName,
          ...(this.current(message.executionArn, message.runId) ? {} : { closed: 'ended' as const }),
        });
        return;
      case 'tokenClosed': {
        const token = this.tokens.get(message.token);
        if (token && !token.closed) token.closed = message.reason;
        return;
      }
      case 'ended': {
        // The run's end event normally ended the execution already; this covers a run that wrote none.
        const record = this.current(message.executionArn, message.runId);
        if (!record) return;
        const type =
          message.status === 'SUCCEEDED'
            ? undefined
            : message.status === 'FAILED'
              ? 'ExecutionFailed'
              : message.status === 'ABORTED'
                ? 'ExecutionAborted'
                : 'ExecutionTimedOut';
        this.append(
          record,
          type
            ? executionEndEvent(type, message.at, {
                ...(type === 'ExecutionTimedOut' ? { error: 'States.Timeout' } : {}),
                ...(type === 'ExecutionFailed' ? { error: message.error, cause: message.cause } : {}),
              })
            : {
                type: 'ExecutionSucceeded',
                timestamp: new Date(message.at).toISOString(),
                executionSucceededEventDetails: {
                  output: JSON.stringify(message.output ?? null),
                  outputDetails: { truncated: false },
                },
              },
        );
        return;
      }
      case 'now':
        this.options.onTime(message.now);
        return;
      case 'runTimers': {
        // Always answered: the worker's advance waits for it.
        const run = this.options.externalTimers;
        (run ? run(message.now) : Promise.resolve<ExternalTimersRun>({ active: false })).then(
          (result) => this.send({ type: 'timersRun', id: message.id, ...result }),
          (error: unknown) => {
            console.error('Running the local timers failed:', error);
            this.send({ type: 'timersRun', id: message.id, active: false });
          },
        );
        return;
      }
      case 'advanced': {
        this.flush();
        const resolve = this.advances.get(message.id);
        this.advances.delete(message.id);
        resolve?.();
        return;
      }
      case 'ready':
        return;
    }
  }

  private get executionsDir(): string | undefined {
    return this.options.dataDir ? join(this.options.dataDir, 'executions') : undefined;
  }

  private markDirty(executionArn: string): void {
    if (!this.executionsDir) return;
    if (this.dirty.size === 0) setTimeout(() => this.flush(), 200).unref();
    this.dirty.add(executionArn);
  }

  private flush(): void {
    const dir = this.executionsDir;
    if (!dir || this.dirty.size === 0) return;
    mkdirSync(dir, { recursive: true });
    for (const arn of this.dirty) {
      const record = this.executions.get(arn);
      // Written whole, then renamed: a crash mid-write leaves the previous file, never half of one.
      if (record) {
        const file = join(dir, `${record.name}.json`);
        writeFileSync(`${file}.partial`, JSON.stringify(record));
        renameSync(`${file}.partial`, file);
      }
    }
    this.dirty.clear();
  }

  /** Loads the kept execution records (histories stay readable; running ones wait for `resumeRunning`). */
  private load(): void {
    const dir = this.executionsDir;
    if (!dir || !existsSync(dir)) return;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const record = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ExecutionRecord;
      this.executions.set(record.executionArn, record);
    }
  }

  /**
   * Starts again, from the top, every execution that was running when the stack stopped: the
   * interpreter cannot resume mid-state, and every workflow task reads the order from DynamoDB, so a
   * fresh run picks up where the order is (deadlines unchanged). The history records the restart as
   * `ExecutionRedriven` (a local-only use of that event type: AWS redrives only failed executions).
   * Called once the handlers' environment is ready.
   */
  resumeRunning(): number {
    let resumed = 0;
    for (const record of this.executions.values()) {
      const machine = this.options.stateMachines.find((m) => m.arn === record.stateMachineArn);
      if (record.status !== 'RUNNING' || !machine) continue;
      record.redriveCount += 1;
      this.run(record, machine, { input: JSON.parse(record.input) });
      resumed++;
    }
    return resumed;
  }
}
