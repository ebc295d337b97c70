import { workflowActor } from './order-events.ts';
import { type Change, changed, iso, type WorkOrder } from './work-order.ts';

/**
 * A lifecycle that broke: a state of the order's execution failed past its retries (a bug, a service
 * down for longer than the retries last). The order says so — `lifecycleFailure`, and a
 * `lifecycle_failed` event — until someone fixes the cause and redrives the execution; then the state
 * that failed runs again and the order says that too (`lifecycle_resumed`). Nothing here changes the
 * order's status or deadlines: the order is where it was, only its lifecycle stopped.
 *
 * The state machine catches every error of its tasks into a task that calls `onLifecycleFailure` and,
 * when it says so, fails the execution there (not in a Fail state: a redrive reruns the state the
 * execution failed in, and a Fail state would only fail again). That task runs twice per failure:
 * once when the error is caught, once more when the execution is redriven — told apart by the
 * execution's redrive count, which the redrive raises.
 */
export interface LifecycleFailure {
  /** The state of the state machine that failed. */
  readonly state: string;
  readonly error: string;
  readonly cause?: string;
  readonly at: string;
  /** The execution's name (the order id, or `<id>-r<n>` for a later handling round). */
  readonly execution: string;
  /** How often the execution had been redriven when it failed. */
  readonly redriveCount: number;
}

/** What is kept of a failure's error and cause (a Lambda error's cause carries its stack trace). */
export const LIFECYCLE_ERROR_MAX = 256;
export const LIFECYCLE_CAUSE_MAX = 2000;

const truncated = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

export interface FailureReport {
  readonly state: string;
  readonly error: string;
  readonly cause?: string;
  readonly execution: string;
  readonly redriveCount: number;
  readonly nowMs: number;
}

export type LifecycleFailureStep =
  /** A new failure: recorded by `change`; the execution then fails. */
  | { readonly kind: 'record'; readonly failure: LifecycleFailure; readonly change: Change }
  /** This run's failure is recorded already (the recording task was retried): the execution fails. */
  | { readonly kind: 'recorded'; readonly failure: LifecycleFailure }
  /** The execution was redriven: `change` clears the failure and the failed state runs again. */
  | { readonly kind: 'resume'; readonly failure: LifecycleFailure; readonly change: Change };

/**
 * What a caught failure means for the order. A failure recorded in an earlier run of the same
 * execution means the execution was redriven: resume. Anything else is a failure of this run: record
 * it (once, however often the recording task is retried).
 */
export const onLifecycleFailure = (order: WorkOrder, report: FailureReport): LifecycleFailureStep => {
  const open = order.lifecycleFailure;
  if (open && open.execution === report.execution && open.redriveCount < report.redriveCount) {
    const { lifecycleFailure: _cleared, ...rest } = order;
    return {
      kind: 'resume',
      failure: open,
      change: {
        order: changed(rest as WorkOrder, report.nowMs, {}),
        events: [
          {
            type: 'lifecycle_resumed',
            at: iso(report.nowMs),
            actor: workflowActor,
            data: {
              state: open.state,
              execution: report.execution,
              redriveCount: report.redriveCount,
              failedAt: open.at,
            },
          },
        ],
      },
    };
  }
  if (open && open.execution === report.execution && open.redriveCount === report.redriveCount) {
    return { kind: 'recorded', failure: open };
  }
  const failure: LifecycleFailure = {
    state: report.state,
    error: truncated(report.error || 'States.Unknown', LIFECYCLE_ERROR_MAX),
    ...(report.cause ? { cause: truncated(report.cause, LIFECYCLE_CAUSE_MAX) } : {}),
    at: iso(report.nowMs),
    execution: report.execution,
    redriveCount: report.redriveCount,
  };
  return {
    kind: 'record',
    failure,
    change: {
      order: changed(order, report.nowMs, { lifecycleFailure: failure }),
      events: [{ type: 'lifecycle_failed', at: failure.at, actor: workflowActor, data: { ...failure } }],
    },
  };
};

/** What the bus hears when an order's lifecycle failed (`WorkOrder Lifecycle Failed`). */
export const lifecycleFailedEventDetail = (order: WorkOrder, failure: LifecycleFailure) => ({
  orderId: order.id,
  round: order.round ?? 1,
  status: order.status,
  unitId: order.unitId ?? null,
  districtCode: order.location.districtCode,
  state: failure.state,
  error: failure.error,
  cause: failure.cause ?? null,
  failedAt: failure.at,
  execution: failure.execution,
  redriveCount: failure.redriveCount,
});

/** The error that fails the execution once the failure is recorded; its name is what the ASL lets through. */
export class LifecycleFailedError extends Error {
  override readonly name = 'LifecycleFailed';
  constructor(orderId: string, failure: LifecycleFailure) {
    super(
      `${failure.state} failed (${failure.error}) for order ${orderId}; recorded on the order. ` +
        'Fix the cause, then redrive this execution: the failed state runs again.',
    );
  }
}
