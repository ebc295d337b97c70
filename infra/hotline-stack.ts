import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { BusRules } from './constructs/bus-rules.ts';
import { grantWhatItUses } from './constructs/function-access.ts';
import { HotlineBus } from './constructs/hotline-bus.ts';
import { HotlineFunction } from './constructs/hotline-function.ts';
import { HotlineHttpApi } from './constructs/hotline-http-api.ts';
import { LifecycleStateMachine } from './constructs/lifecycle-state-machine.ts';
import { OrderTable } from './constructs/order-table.ts';
import { StaffIdentity } from './constructs/staff-identity.ts';
import {
  type FunctionName,
  httpRoutes,
  type LambdaFunctionSpec,
  lambdaFunctions,
  stateMachines,
} from './wiring.ts';

export interface HotlineStackProps extends StackProps {
  /** Prefix of physical names (bus, state machines, user pool, API); lower-case stack name by default. */
  readonly namePrefix?: string;
  readonly eventBusName?: string;
  readonly allowedOrigins?: readonly string[];
  readonly callbackUrls?: readonly string[];
  readonly logoutUrls?: readonly string[];
  readonly authDomainPrefix?: string;
}

const pascal = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
const kebab = (word: string): string => word.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** Everything the hotline runs on, built from the one table in infra/wiring.ts. */
export class HotlineStack extends Stack {
  readonly functions: Readonly<Record<FunctionName, HotlineFunction>>;
  readonly identity: StaffIdentity;

  constructor(scope: Construct, id: string, props: HotlineStackProps = {}) {
    super(scope, id, props);
    const prefix = props.namePrefix ?? this.stackName.toLowerCase();
    const stateMachineNameOf = (key: keyof typeof stateMachines): string => `${prefix}-${kebab(key)}`;

    const { table } = new OrderTable(this, 'Orders');
    const { bus } = new HotlineBus(this, 'Events', { eventBusName: props.eventBusName ?? prefix });

    // The functions need the lifecycle's ARN and the lifecycle's role needs the functions' ARNs. A fixed
    // state machine name lets us write the ARN down first and break that cycle.
    const stateMachineArnOf = (
      key: keyof typeof stateMachines,
      resource: 'stateMachine' | 'execution',
    ): string =>
      this.formatArn({
        service: 'states',
        resource,
        resourceName: resource === 'execution' ? `${stateMachineNameOf(key)}:*` : stateMachineNameOf(key),
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const workOrder = {
      stateMachine: StateMachine.fromStateMachineArn(
        this,
        'WorkOrderByName',
        stateMachineArnOf('workOrder', 'stateMachine'),
      ),
      anyExecutionArn: stateMachineArnOf('workOrder', 'execution'),
    };

    const functions = {} as Record<FunctionName, HotlineFunction>;
    for (const name of Object.keys(lambdaFunctions) as FunctionName[]) {
      const spec: LambdaFunctionSpec = lambdaFunctions[name];
      const fn = new HotlineFunction(this, pascal(name), spec);
      grantWhatItUses(fn, spec.uses, { table, bus, workOrder });
      functions[name] = fn;
    }
    this.functions = functions;
    new BusRules(this, 'Rules', { bus, functions });

    const machines = (Object.keys(stateMachines) as (keyof typeof stateMachines)[]).map((key) => {
      const spec = stateMachines[key];
      const lifecycle = new LifecycleStateMachine(this, `${pascal(key)}Lifecycle`, {
        stateMachineName: stateMachineNameOf(key),
        file: spec.file,
        description: spec.description,
        functions,
        bus,
        table,
      });
      return { key, lifecycle };
    });

    const identity = new StaffIdentity(this, 'Staff', {
      userPoolName: `${prefix}-staff`,
      callbackUrls: props.callbackUrls ?? ['http://localhost:3000/auth/callback'],
      logoutUrls: props.logoutUrls ?? ['http://localhost:3000/'],
      domainPrefix: props.authDomainPrefix,
    });
    this.identity = identity;

    const { stage } = new HotlineHttpApi(this, 'Http', {
      apiName: `${prefix}-api`,
      routes: httpRoutes,
      functions,
      issuerUrl: identity.issuerUrl,
      audience: [identity.client.userPoolClientId],
      allowedOrigins: props.allowedOrigins ?? ['*'],
    });

    new CfnOutput(this, 'ApiUrl', { value: stage.url });
    new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: identity.client.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
    for (const { key, lifecycle } of machines) {
      new CfnOutput(this, `${pascal(key)}StateMachineArn`, { value: lifecycle.stateMachine.stateMachineArn });
    }
  }
}
