import type { Server } from 'node:http';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callbackSchedules } from '#wiring/wiring.ts';
import { startAwsEndpoint } from '../../../local/aws-endpoint.ts';
import { LocalEventBus } from '../../../local/event-bus.ts';
import { LocalScheduler } from '../../../local/scheduler.ts';
import type { LocalStepFunctions } from '../../../local/stepfunctions/service.ts';

/**
 * The local AWS endpoint serves EventBridge Scheduler's REST-JSON API to the real SDK client, the
 * way the call-back handlers reach it through AWS_ENDPOINT_URL_SCHEDULER.
 */
const NOW = Date.parse('2026-12-01T01:00:00Z');
const GROUP = callbackSchedules.groupName;
const FUNCTION_ARN = 'arn:aws:lambda:local:000000000000:function:hotline-callbackAttempt';

let scheduler: LocalScheduler;
let server: Server;
let client: SchedulerClient;

const createInput = (name: string, changes: Partial<CreateScheduleCommandInput> = {}) =>
  ({
    Name: name,
    GroupName: GROUP,
    ScheduleExpression: 'at(2026-12-02T09:00:00)',
    ScheduleExpressionTimezone: 'Asia/Shanghai',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: FUNCTION_ARN,
      RoleArn: 'arn:aws:iam::000000000000:role/hotline-scheduler',
      Input: JSON.stringify({ orderId: 'WO01', attempt: 1 }),
      RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 21_600 },
      DeadLetterConfig: { Arn: 'arn:aws:sqs:local:000000000000:hotline-callbacks-dlq' },
    },
    ...changes,
  }) satisfies CreateScheduleCommandInput;

beforeAll(async () => {
  // Only the scheduler's routes are called: no Step Functions service behind this endpoint.
  const unused = {} as LocalStepFunctions;
  scheduler = new LocalScheduler({ now: () => NOW, invoke: async () => undefined, groups: [GROUP] });
  const endpoint = await startAwsEndpoint({
    stepFunctions: unused,
    bus: new LocalEventBus('hotline-local', () => NOW),
    scheduler,
  });
  server = endpoint.server;
  client = new SchedulerClient({
    endpoint: endpoint.url,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});

beforeEach(async () => {
  for (const s of scheduler.listSchedules().Schedules)
    scheduler.deleteSchedule({ Name: s.Name, GroupName: s.GroupName });
});

afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('EventBridge Scheduler on the local AWS endpoint', () => {
  it('returns the schedule ARN on CreateSchedule and the schedule on GetSchedule', async () => {
    // Act
    const created = await client.send(new CreateScheduleCommand(createInput('cb-WO01-1')));
    const got = await client.send(new GetScheduleCommand({ Name: 'cb-WO01-1', GroupName: GROUP }));

    // Assess
    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:local:000000000000:schedule/${GROUP}/cb-WO01-1`);
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 'cb-WO01-1',
      GroupName: GROUP,
      ScheduleExpression: 'at(2026-12-02T09:00:00)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      CreationDate: new Date(NOW),
      Target: createInput('cb-WO01-1').Target,
    });
    expect(scheduler.nextDue()).toBe(Date.parse('2026-12-02T01:00:00Z'));
  });

  it('rejects a second CreateSchedule of the name with ConflictException', async () => {
    // Prepare
    await client.send(new CreateScheduleCommand(createInput('cb-WO01-1')));

    // Act
    const error = await client.send(new CreateScheduleCommand(createInput('cb-WO01-1'))).catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.$metadata.httpStatusCode).toBe(409);
    expect(error.message).toBe('Schedule cb-WO01-1 already exists.');
  });

  it('rejects a cron schedule with L (last day) with ValidationException and its message', async () => {
    // Act
    const error = await client
      .send(new CreateScheduleCommand(createInput('month-end', { ScheduleExpression: 'cron(0 2 L * ? *)' })))
      .catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(/local EventBridge Scheduler does not support L, W or #/);
  });

  it('returns a nightly cron schedule with its StartDate, and its next occurrence due', async () => {
    // Prepare
    const startDate = new Date(NOW + 3_600_000);

    // Act
    await client.send(
      new CreateScheduleCommand(
        createInput('nightly', {
          ScheduleExpression: 'cron(0 2 * * ? *)',
          ActionAfterCompletion: 'NONE',
          StartDate: startDate,
        }),
      ),
    );
    const got = await client.send(new GetScheduleCommand({ Name: 'nightly', GroupName: GROUP }));

    // Assess: 02:00 in Shanghai is 18:00 UTC the day before; NOW is 09:00 CST on 12-01
    expect(got).toMatchObject({ ScheduleExpression: 'cron(0 2 * * ? *)', StartDate: startDate });
    expect(scheduler.nextDue()).toBe(Date.parse('2026-12-01T18:00:00Z'));
  });

  it('returns summaries on ListSchedules, filtered by group and name prefix and paged', async () => {
    // Prepare
    for (const name of ['cb-WO01-1', 'cb-WO01-2', 'cb-WO02-1'])
      await client.send(new CreateScheduleCommand(createInput(name)));
    await client.send(new CreateScheduleCommand(createInput('cb-WO01-3', { GroupName: 'default' })));

    // Act
    const first = await client.send(
      new ListSchedulesCommand({ GroupName: GROUP, NamePrefix: 'cb-WO01', MaxResults: 1 }),
    );
    const second = await client.send(
      new ListSchedulesCommand({
        GroupName: GROUP,
        NamePrefix: 'cb-WO01',
        MaxResults: 1,
        NextToken: first.NextToken,
      }),
    );
    const all = await client.send(new ListSchedulesCommand({}));

    // Assess
    expect(first.Schedules?.map((s) => s.Name)).toEqual(['cb-WO01-1']);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.Schedules?.map((s) => s.Name)).toEqual(['cb-WO01-2']);
    expect(second.NextToken).toBeUndefined();
    expect(all.Schedules?.map((s) => `${s.GroupName}/${s.Name}`)).toEqual([
      'default/cb-WO01-3',
      `${GROUP}/cb-WO01-1`,
      `${GROUP}/cb-WO01-2`,
      `${GROUP}/cb-WO02-1`,
    ]);
    expect(first.Schedules?.[0]).toEqual({
      Arn: `arn:aws:scheduler:local:000000000000:schedule/${GROUP}/cb-WO01-1`,
      Name: 'cb-WO01-1',
      GroupName: GROUP,
      State: 'ENABLED',
      CreationDate: new Date(NOW),
      LastModificationDate: new Date(NOW),
      Target: { Arn: FUNCTION_ARN },
    });
  });

  it('returns {} on DeleteSchedule, then ResourceNotFoundException on Get and Delete', async () => {
    // Prepare
    await client.send(new CreateScheduleCommand(createInput('cb-WO01-1')));

    // Act
    const deleted = await client.send(new DeleteScheduleCommand({ Name: 'cb-WO01-1', GroupName: GROUP }));
    const onGet = await client
      .send(new GetScheduleCommand({ Name: 'cb-WO01-1', GroupName: GROUP }))
      .catch((e) => e);
    const onDelete = await client
      .send(new DeleteScheduleCommand({ Name: 'cb-WO01-1', GroupName: GROUP }))
      .catch((e) => e);

    // Assess
    expect(deleted.$metadata.httpStatusCode).toBe(200);
    expect(onGet).toBeInstanceOf(ResourceNotFoundException);
    expect(onGet.$metadata.httpStatusCode).toBe(404);
    expect(onGet.message).toBe('Schedule cb-WO01-1 does not exist.');
    expect(onDelete).toBeInstanceOf(ResourceNotFoundException);
  });

  it('rejects a schedule in a group that does not exist with ResourceNotFoundException', async () => {
    // Act
    const error = await client
      .send(new CreateScheduleCommand(createInput('cb-WO01-1', { GroupName: 'nope' })))
      .catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe('Schedule group nope does not exist.');
  });

  it('returns the new expression after UpdateSchedule', async () => {
    // Prepare
    await client.send(new CreateScheduleCommand(createInput('cb-WO01-1')));

    // Act
    await client.send(
      new UpdateScheduleCommand({
        ...createInput('cb-WO01-1'),
        ScheduleExpression: 'at(2026-12-03T09:00:00)',
      }),
    );
    const got = await client.send(new GetScheduleCommand({ Name: 'cb-WO01-1', GroupName: GROUP }));

    // Assess
    expect(got.ScheduleExpression).toBe('at(2026-12-03T09:00:00)');
    expect(scheduler.nextDue()).toBe(Date.parse('2026-12-03T01:00:00Z'));
  });
});
