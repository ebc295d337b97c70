import type { Construct } from 'constructs';
import { callbackHealing } from '#wiring/wiring.ts';
import {
  RecurringFunctionSchedule,
  type RecurringFunctionScheduleProps,
} from './recurring-function-schedule.ts';

export type CallbackReconciliationProps = RecurringFunctionScheduleProps;

/**
 * The call-back reconciler's schedule (wiring/wiring.ts `callbackHealing.reconciler`): `rate(...)`,
 * invoking the reconciler. Its queues' alarms mean call-back rounds may be left waiting for a step.
 */
export class CallbackReconciliation extends RecurringFunctionSchedule {
  constructor(scope: Construct, id: string, props: CallbackReconciliationProps) {
    const spec = callbackHealing.reconciler;
    super(scope, id, {
      ...props,
      spec,
      purpose: 'call-back reconciler',
      description: `Call-back reconciler: invokes ${spec.target} at ${spec.expression}`,
    });
  }
}
