import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AwsServiceError } from '../aws-errors.ts';
import { type HistoryEvent, numberEvents } from './history.ts';
import type { ExternalTimersRun, FromWorker, ServiceCall, ToWorker } from './protocol.ts';

/**
 * The local Step Functions service: the API the handlers call through the AWS SDK (StartExecution,
 * SendTaskSuccess ...), answered from executions run by the interpreter worker. Execution records
 * and their histories are kept on disk, so the auditor's view survives a restart; executions that were
 * running when the stack stopped are redriven on start (their tasks read the order from DynamoDB, the
 * source of truth, so they carry on where the order is).
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
  events: Omit<HistoryEvent, 'id' | 'previousEventId'>[];
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

export class LocalStepFunctions {
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly tokens = new Map<string, TokenState>();
  private readonly advances = new Map<number, () => void>();
  private nextAdvanceId = 1;
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
    this.markDirty(executionArn);
    this.send({
      type: 'start',
      executionArn,
      stateMachineArn: machine.arn,
      definition: machine.definition,
      input: parsed,
    });
    return { executionArn, startDate: record.startDate };
  }

  describeExecution(executionArn: string) {
    const record = this.require(executionArn);
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate / 1000,
      ...(record.stopDate ? { stopDate: record.stopDate / 1000 } : {}),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
      ...(record.error ? { error: record.error, cause: record.cause } : {}),
      redriveCount: record.redriveCount,
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

  listExecutions(request: { stateMachineArn?: string; statusFilter?: ExecutionStatus; maxResults?: number }) {
    const executions = [...this.executions.values()]
      .filter(
        (e) =>
          e.stateMachineArn === request.stateMachineArn &&
          (!request.statusFilter || e.status === request.statusFilter),
      )
      .sort((a, b) => b.startDate - a.startDate)
      .slice(0, request.maxResults || 100)
      .map((e) => ({
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate / 1000,
        ...(e.stopDate ? { stopDate: e.stopDate / 1000 } : {}),
      }));
    return { executions };
  }

  sendTaskSuccess(request: { taskToken?: string; output?: string }): Record<string, never> {
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
    return {};
  }

  stopExecution(request: { executionArn?: string; error?: string; cause?: string }) {
    const record = this.require(request.executionArn ?? '');
    if (record.status === 'RUNNING') {
      this.send({ type: 'stop', executionArn: record.executionArn });
      if (request.error) record.error = request.error;
      if (request.cause) record.cause = request.cause;
    }
    return { stopDate: this.options.now() / 1000 };
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
    const token = taskToken ? this.tokens.get(taskToken) : undefined;
    if (!taskToken || !token) throw new AwsServiceError('TaskDoesNotExist', 'Task Does Not Exist');
    if (token.closed === 'timedOut') throw new AwsServiceError('TaskTimedOut', 'Task Timed Out');
    if (token.closed) throw new AwsServiceError('TaskDoesNotExist', 'Task Does Not Exist');
    return token;
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
        const record = this.executions.get(message.executionArn);
        if (!record) return;
        // A redriven run starts the interpreter again; AWS's history shows that as ExecutionRedriven.
        if (message.event.type === 'ExecutionStarted' && record.events.length > 0) {
          record.events.push({
            type: 'ExecutionRedriven',
            timestamp: message.event.timestamp,
            executionRedrivenEventDetails: { redriveCount: record.redriveCount },
          });
        } else {
          record.events.push(message.event);
        }
        this.markDirty(record.executionArn);
        return;
      }
      case 'tokenOpened':
        this.tokens.set(message.token, { executionArn: message.executionArn, stateName: message.stateName });
        return;
      case 'tokenClosed': {
        const token = this.tokens.get(message.token);
        if (token && !token.closed) token.closed = message.reason;
        return;
      }
      case 'ended': {
        const record = this.executions.get(message.executionArn);
        if (!record) return;
        record.status = message.status;
        record.stopDate = message.at;
        if (message.output !== undefined) record.output = JSON.stringify(message.output);
        if (message.error) record.error = message.error;
        if (message.cause) record.cause = message.cause;
        this.markDirty(record.executionArn);
        this.flush();
        for (const resolve of this.endWaiters.get(record.executionArn) ?? []) resolve();
        this.endWaiters.delete(record.executionArn);
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
      if (record) writeFileSync(join(dir, `${record.name}.json`), JSON.stringify(record));
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
      this.markDirty(record.executionArn);
      this.send({
        type: 'start',
        executionArn: record.executionArn,
        stateMachineArn: machine.arn,
        definition: machine.definition,
        input: JSON.parse(record.input),
      });
      resumed++;
    }
    return resumed;
  }
}
