import type { Construct } from 'constructs';
import { contactRetention } from '#wiring/wiring.ts';
import {
  RecurringFunctionSchedule,
  type RecurringFunctionScheduleProps,
} from './recurring-function-schedule.ts';

/**
 * The nightly erasure of requesters' contacts past the retention period (wiring/wiring.ts
 * `contactRetention`, docs/privacy.md). Its queues' alarms mean contacts kept past their period.
 */
export class ContactRetentionSchedule extends RecurringFunctionSchedule {
  constructor(scope: Construct, id: string, props: RecurringFunctionScheduleProps) {
    super(scope, id, {
      ...props,
      spec: contactRetention,
      purpose: 'contact retention',
      description: `Contact retention (PIPL): invokes ${contactRetention.target} at ${contactRetention.expression} ${contactRetention.timeZone}`,
    });
  }
}
