import type { Construct } from 'constructs';
import { miningSchedule } from '#wiring/wiring.ts';
import {
  RecurringFunctionSchedule,
  type RecurringFunctionScheduleProps,
} from './recurring-function-schedule.ts';

export type MiningScheduleProps = RecurringFunctionScheduleProps;

/**
 * The nightly mining (wiring/wiring.ts `miningSchedule`): `cron(...)` in Beijing time, invoking the mining
 * function. Its queues' alarms mean a night without fresh insights.
 */
export class MiningSchedule extends RecurringFunctionSchedule {
  constructor(scope: Construct, id: string, props: MiningScheduleProps) {
    super(scope, id, {
      ...props,
      spec: miningSchedule,
      purpose: 'nightly mining',
      description: `Nightly mining (主动治理): invokes ${miningSchedule.target} at ${miningSchedule.expression} ${miningSchedule.timeZone}`,
    });
  }
}
