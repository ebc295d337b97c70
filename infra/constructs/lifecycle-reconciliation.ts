import type { Construct } from 'constructs';
import { lifecycleHealing } from '#wiring/wiring.ts';
import {
  RecurringFunctionSchedule,
  type RecurringFunctionScheduleProps,
} from './recurring-function-schedule.ts';

export type LifecycleReconciliationProps = RecurringFunctionScheduleProps;

/**
 * The lifecycle reconciler's schedule (wiring/wiring.ts `lifecycleHealing.reconciler`): `rate(...)`,
 * invoking the reconciler. Its queues' alarms mean orders may be left without a lifecycle.
 */
export class LifecycleReconciliation extends RecurringFunctionSchedule {
  constructor(scope: Construct, id: string, props: LifecycleReconciliationProps) {
    const spec = lifecycleHealing.reconciler;
    super(scope, id, {
      ...props,
      spec,
      purpose: 'lifecycle reconciler',
      description: `Lifecycle reconciler: invokes ${spec.target} at ${spec.expression}`,
    });
  }
}
