import { beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedHotline, synthesizeHotline } from './hotline-template.ts';

describe('a stack named by context', () => {
  let staging: SynthesizedHotline;

  beforeAll(() => {
    staging = synthesizeHotline({ stackName: 'HotlineStaging', eventBusName: 'hotline-staging-bus' });
  });

  it('takes its name from the stackName context', () => {
    expect(staging.stack.stackName).toBe('HotlineStaging');
  });

  it('derives physical names from it, so two stacks can share an account', () => {
    staging.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'hotlinestaging-work-order',
    });
    staging.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolName: 'hotlinestaging-staff',
    });
  });

  it('prefixes the call-back schedule group, so two stacks do not share their schedules', () => {
    staging.template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', {
      Name: 'hotlinestaging-callbacks',
    });
    staging.template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'hotlinestaging-callback-attempt',
    });
  });

  it('takes the bus name from the eventBusName context', () => {
    staging.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'hotline-staging-bus' });
  });
});
