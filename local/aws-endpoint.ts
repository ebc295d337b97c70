import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError } from './aws-errors.ts';
import type { LocalEventBus } from './event-bus.ts';
import type { LocalStepFunctions } from './stepfunctions/service.ts';

/**
 * The local AWS endpoint: speaks the AWS JSON protocol (`X-Amz-Target`) for Step Functions and
 * EventBridge, so handlers use the real AWS SDK clients unchanged; the local stack only sets
 * AWS_ENDPOINT_URL_SFN and AWS_ENDPOINT_URL_EVENTBRIDGE to this server.
 */
type Operation = (body: Record<string, unknown>) => unknown;

export const startAwsEndpoint = async (deps: {
  stepFunctions: LocalStepFunctions;
  bus: LocalEventBus;
  port?: number;
}): Promise<{ server: Server; url: string }> => {
  const sfn = deps.stepFunctions;
  const operations: Record<string, Operation> = {
    'AWSStepFunctions.StartExecution': (b) => sfn.startExecution(b),
    'AWSStepFunctions.DescribeExecution': (b) => sfn.describeExecution(String(b.executionArn ?? '')),
    'AWSStepFunctions.GetExecutionHistory': (b) => sfn.getExecutionHistory(b),
    'AWSStepFunctions.ListExecutions': (b) => sfn.listExecutions(b),
    'AWSStepFunctions.SendTaskSuccess': (b) => sfn.sendTaskSuccess(b),
    'AWSStepFunctions.SendTaskFailure': (b) => sfn.sendTaskFailure(b),
    'AWSStepFunctions.SendTaskHeartbeat': (b) => sfn.sendTaskHeartbeat(b),
    'AWSStepFunctions.StopExecution': (b) => sfn.stopExecution(b),
    'AWSEvents.PutEvents': (b) => deps.bus.putEvents((b.Entries ?? []) as never),
  };

  const server = createServer(async (req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const contentType = target.startsWith('AWSEvents.')
      ? 'application/x-amz-json-1.1'
      : 'application/x-amz-json-1.0';
    const reply = (status: number, body: unknown, errorType?: string) => {
      res.writeHead(status, {
        'content-type': contentType,
        'x-amzn-requestid': crypto.randomUUID(),
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(JSON.stringify(body));
    };
    try {
      const operation = operations[target];
      if (!operation)
        throw new AwsServiceError('UnknownOperationException', `The local stack does not serve ${target}`);
      const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
      reply(200, await operation(body));
    } catch (error) {
      if (error instanceof AwsServiceError)
        reply(error.statusCode, { __type: error.code, message: error.message }, error.code);
      else reply(500, { __type: 'InternalFailure', message: (error as Error).message }, 'InternalFailure');
    }
  });
  await new Promise<void>((resolve) => server.listen(deps.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
};

export const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};
