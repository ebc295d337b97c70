import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalAthena } from './athena.ts';
import { AwsServiceError } from './aws-errors.ts';
import type { LocalEventBus } from './event-bus.ts';
import type { LocalFirehose } from './firehose.ts';
import type { ListSchedulesRequest, LocalScheduler, ScheduleRequest } from './scheduler.ts';
import type { LocalSecretsManager } from './secrets-manager.ts';
import type { LocalStepFunctions } from './stepfunctions/service.ts';

/**
 * The local AWS endpoint: speaks the AWS JSON protocol (`X-Amz-Target`) for Step Functions and
 * EventBridge, and EventBridge Scheduler's REST-JSON protocol (`/schedules/...`), so handlers use the
 * real AWS SDK clients unchanged; the local stack only sets AWS_ENDPOINT_URL_SFN,
 * AWS_ENDPOINT_URL_EVENTBRIDGE and AWS_ENDPOINT_URL_SCHEDULER to this server. Athena (JSON 1.1,
 * `AmazonAthena.*`, AWS_ENDPOINT_URL_ATHENA) is served by its twin over DuckDB (local/athena.ts).
 * Firehose's PutRecord/PutRecordBatch (local/firehose.ts) and Secrets Manager's GetSecretValue
 * (local/secrets-manager.ts) serve the analytics path, both JSON 1.1. Besides PutEvents, EventBridge's
 * connections, API destinations, rules and targets are served by the bus's registry
 * (local/eventbridge/registry.ts).
 */
type Operation = (body: Record<string, unknown>) => unknown;

export const startAwsEndpoint = async (deps: {
  stepFunctions: LocalStepFunctions;
  bus: LocalEventBus;
  scheduler?: LocalScheduler;
  athena?: LocalAthena;
  /** Firehose (JSON 1.1, `Firehose_20150804.*`, AWS_ENDPOINT_URL_FIREHOSE): the analytics delivery stream. */
  firehose?: LocalFirehose;
  /** Secrets Manager (JSON 1.1, `secretsmanager.*`, AWS_ENDPOINT_URL_SECRETS_MANAGER): GetSecretValue. */
  secrets?: LocalSecretsManager;
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
    'AWSStepFunctions.RedriveExecution': (b) => sfn.redriveExecution(b),
    'AWSEvents.PutEvents': (b) => deps.bus.putEvents((b.Entries ?? []) as never),
    // Connections, API destinations and the rules put at run time (local/eventbridge/registry.ts).
    // A stand-in bus of a test may have no control plane.
    ...(deps.bus.eventBridge?.operations() ?? {}),
    ...athenaOperations(deps.athena),
    ...(deps.firehose ? firehoseOperations(deps.firehose) : {}),
    ...(deps.secrets
      ? { 'secretsmanager.GetSecretValue': (b: Record<string, unknown>) => deps.secrets?.getSecretValue(b) }
      : {}),
  };

  const server = createServer(async (req, res) => {
    if (deps.scheduler && req.headers['x-amz-target'] === undefined && isSchedulerPath(req.url)) {
      await serveScheduler(deps.scheduler, req, res);
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const contentType = /^(AWSEvents|AmazonAthena|Firehose_20150804|secretsmanager)\./.test(target)
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
        reply(error.statusCode, { __type: error.code, message: error.message, ...error.fields }, error.code);
      else reply(500, { __type: 'InternalFailure', message: (error as Error).message }, 'InternalFailure');
    }
  });
  await new Promise<void>((resolve) => server.listen(deps.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
};

/** The analytics delivery stream's operations (local/firehose.ts). */
const firehoseOperations = (firehose: LocalFirehose): Record<string, Operation> => ({
  'Firehose_20150804.PutRecord': (b) => firehose.putRecord(b),
  'Firehose_20150804.PutRecordBatch': (b) => firehose.putRecordBatch(b),
});

/** Athena's operations, when the stack runs its twin. */
const athenaOperations = (athena: LocalAthena | undefined): Record<string, Operation> =>
  athena
    ? {
        'AmazonAthena.StartQueryExecution': (b) => athena.startQueryExecution(b),
        'AmazonAthena.GetQueryExecution': (b) => athena.getQueryExecution(b),
        'AmazonAthena.GetQueryResults': (b) => athena.getQueryResults(b),
        'AmazonAthena.StopQueryExecution': (b) => athena.stopQueryExecution(b),
      }
    : {};

// ---- EventBridge Scheduler (REST-JSON) -----------------------------------------------------------------

const isSchedulerPath = (url: string | undefined): boolean => /^\/schedules(\/|\?|$)/.test(url ?? '');

/**
 * The routes of @aws-sdk/client-scheduler's serializer: CreateSchedule `POST /schedules/{Name}`,
 * UpdateSchedule `PUT /schedules/{Name}` (GroupName and the rest in the JSON body), GetSchedule
 * `GET /schedules/{Name}?groupName=`, DeleteSchedule `DELETE /schedules/{Name}?groupName=&clientToken=`,
 * ListSchedules `GET /schedules?ScheduleGroup=&NamePrefix=&State=&NextToken=&MaxResults=`. Errors carry
 * their code in `x-amzn-errortype` and `{ "Message": ... }` in the body.
 */
const serveScheduler = async (
  scheduler: LocalScheduler,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> => {
  const reply = (status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-requestid': crypto.randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  };
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const query = (name: string) => url.searchParams.get(name) ?? undefined;
    const text = await readBody(req);
    const body = (text ? JSON.parse(text) : {}) as ScheduleRequest;
    const named = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    const name = named?.[1] === undefined ? undefined : decodeURIComponent(named[1]);
    const route = `${req.method} ${name === undefined ? url.pathname : '/schedules/{Name}'}`;
    switch (route) {
      case 'POST /schedules/{Name}':
        return reply(200, scheduler.createSchedule({ ...body, Name: name }));
      case 'PUT /schedules/{Name}':
        return reply(200, scheduler.updateSchedule({ ...body, Name: name }));
      case 'GET /schedules/{Name}':
        return reply(200, scheduler.getSchedule({ Name: name, GroupName: query('groupName') }));
      case 'DELETE /schedules/{Name}':
        return reply(200, scheduler.deleteSchedule({ Name: name, GroupName: query('groupName') }));
      case 'GET /schedules': {
        const max = query('MaxResults');
        const request: ListSchedulesRequest = {
          ScheduleGroup: query('ScheduleGroup'),
          NamePrefix: query('NamePrefix'),
          State: query('State'),
          NextToken: query('NextToken'),
          ...(max !== undefined ? { MaxResults: Number(max) } : {}),
        };
        return reply(200, scheduler.listSchedules(request));
      }
    }
    throw new AwsServiceError('UnknownOperationException', `The local stack does not serve ${route}`, 404);
  } catch (error) {
    if (error instanceof AwsServiceError) reply(error.statusCode, { Message: error.message }, error.code);
    else if (error instanceof SyntaxError || error instanceof URIError)
      reply(400, { Message: 'The request is not valid: its path or JSON body.' }, 'ValidationException');
    else reply(500, { Message: (error as Error).message }, 'InternalServerException');
  }
};

export const readBody = async (req: IncomingMessage): Promise<string> =>
  (await readBodyBytes(req)).toString('utf8');

export const readBodyBytes = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};
