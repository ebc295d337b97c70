import path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { repoRoot } from '../repo-root.ts';

/** Runtime and bundle target move together; Node 22 is the Lambda runtime nearest the Node 20 we test on. */
const lambdaRuntime = Runtime.NODEJS_22_X;
const bundleTarget = 'node22';

/**
 * The SQL files of analytics/sql/ travel inside the bundle as text (there is no such folder in
 * Lambda): functions/shared/gateways/analytics-sql.ts imports them when `HOTLINE_SQL_INLINED` is defined.
 */
export const analyticsSqlBundling = {
  loader: { '.sql': 'text' },
  define: { HOTLINE_SQL_INLINED: 'true' },
} as const;

/** ESM bundles still meet CommonJS dependencies that call `require`; this gives them one. */
const esmRequireBanner =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface HotlineFunctionProps {
  /** Path from the repository root to the module exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  /** A fixed physical name, only where something must know the ARN before the function exists. */
  readonly functionName?: string;
  readonly timeoutSeconds?: number;
  readonly memoryMb?: number;
}

/**
 * One Lambda function with every default the project holds to: arm64, X-Ray, its own log group with a
 * retention, source maps, an ESM bundle built by the local esbuild (never Docker) with the AWS SDK
 * inside, so the SDK version that runs is the one the tests ran.
 */
export class HotlineFunction extends Construct {
  readonly lambda: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HotlineFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'LogGroup', { retention: RetentionDays.ONE_MONTH });
    this.lambda = new NodejsFunction(this, 'Function', {
      entry: path.join(repoRoot, props.entry),
      handler: 'handler',
      functionName: props.functionName,
      description: props.description,
      runtime: lambdaRuntime,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb ?? 512,
      timeout: Duration.seconds(props.timeoutSeconds ?? 10),
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'hotline',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: bundleTarget,
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: esmRequireBanner,
        externalModules: [],
        forceDockerBundling: false,
        loader: { ...analyticsSqlBundling.loader },
        define: { ...analyticsSqlBundling.define },
      },
    });
    this.acknowledgeDefaults();
  }

  /** Adds a variable the handler reads at load time. */
  addEnvironment(name: string, value: string): void {
    this.lambda.addEnvironment(name, value);
  }

  private acknowledgeDefaults(): void {
    const validations = Validations.of(this);
    validations.acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'AWSLambdaBasicExecutionRole grants only logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents, ' +
        "what Lambda needs to write a function's logs; the AWS-maintained policy is kept so it follows AWS changes.",
    });
    validations.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level ' +
        'permissions, so AWS requires Resource "*" for them.',
    });
    validations.acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is deliberate: it is the Lambda runtime closest to the Node 20 the local stack and tests run on, ' +
        'and the bundle targets node22; we move to Node 24 together with the local toolchain.',
    });
  }
}
