import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { acknowledgeWildcardResource } from '../nag.ts';
import { envNames, type LambdaFunctionSpec } from '../wiring.ts';
import type { HotlineFunction } from './hotline-function.ts';

/** The resources a function may touch, by the names `uses` gives them in infra/wiring.ts. */
export interface UsableResources {
  readonly table: Table;
  readonly bus: IEventBus;
  readonly workOrder: StateMachineByName;
}

/**
 * A state machine known by its fixed name before it is built (see HotlineStack), so that functions and
 * the machine that invokes them do not depend on each other.
 */
export interface StateMachineByName {
  readonly stateMachine: IStateMachine;
  /** `arn:…:execution:<name>:*` */
  readonly anyExecutionArn: string;
}

type Use = LambdaFunctionSpec['uses'][number];

const useTable = (fn: HotlineFunction, table: Table, access: 'read' | 'readWrite'): void => {
  if (access === 'read') table.grantReadData(fn.lambda);
  else table.grantReadWriteData(fn.lambda);
  fn.addEnvironment(envNames.table, table.tableName);
  acknowledgeWildcardResource(
    fn,
    `${table.tableArn}/index/*`,
    'Queries by unit, district and day go through the GSIs of this one table; <table>/index/* names only them.',
  );
};

/** Each use grants exactly its permissions and sets its variable together, so one never comes without the other. */
const grantUse: Record<Use, (fn: HotlineFunction, resources: UsableResources) => void> = {
  tableRead: (fn, { table }) => useTable(fn, table, 'read'),
  table: (fn, { table }) => useTable(fn, table, 'readWrite'),
  stateMachine: (fn, { workOrder }) => {
    // StartExecution with the same name and input while running is idempotent: nothing else is needed.
    workOrder.stateMachine.grantStartExecution(fn.lambda);
    fn.addEnvironment(envNames.stateMachineArn, workOrder.stateMachine.stateMachineArn);
  },
  executionHistory: (fn, { workOrder }) => {
    // Auditors read an order's lifecycle history; nothing else of Step Functions.
    Grant.addToPrincipal({
      grantee: fn.lambda,
      actions: ['states:GetExecutionHistory', 'states:DescribeExecution'],
      resourceArns: [workOrder.anyExecutionArn],
    });
    fn.addEnvironment(envNames.stateMachineArn, workOrder.stateMachine.stateMachineArn);
    acknowledgeWildcardResource(
      fn,
      workOrder.anyExecutionArn,
      'Reads the history of executions of the work-order state machine only: each is named by its order ' +
        'id, unknown when permissions are set, so the execution ARN ends in a wildcard.',
    );
  },
  taskTokens: (fn, { workOrder }) => {
    workOrder.stateMachine.grantTaskResponse(fn.lambda);
    fn.addEnvironment(envNames.stateMachineArn, workOrder.stateMachine.stateMachineArn);
  },
  bus: (fn, { bus }) => {
    bus.grantPutEventsTo(fn.lambda);
    fn.addEnvironment(envNames.eventBus, bus.eventBusName);
  },
};

export const grantWhatItUses = (
  fn: HotlineFunction,
  uses: LambdaFunctionSpec['uses'],
  resources: UsableResources,
): void => {
  for (const use of uses) grantUse[use](fn, resources);
};
