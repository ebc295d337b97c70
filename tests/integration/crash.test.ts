import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunning, OWNER_FILE } from '../../local/dynamodb-folder.ts';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';

/**
 * Every acknowledged order has a lifecycle, whatever crashes (docs/design.md). The local stack is killed
 * (SIGKILL: no cleanup) while orders arrive 16 at a time, and started again on the same folder: every
 * order answered 201 is there, and every order saved — answered or not — gets its lifecycle, healed
 * (a `lifecycle_healed` event) exactly where the intake had not started it. Then the intake's start is
 * made to fail (the Step Functions API down): the stream trigger heals the order; and when the outage
 * outlasts the trigger's retries, the reconciler does.
 */
const localDir = mkdtempSync(join(tmpdir(), 'hotline-crash-'));
let stack: StackProcess | undefined;
const dynamoPids: number[] = [];

afterAll(async () => {
  await stack?.stop();
  // A test that failed half-way must not leave a DynamoDB Local behind: kill what this file started.
  for (const pid of dynamoPids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  rmSync(localDir, { recursive: true, force: true });
});

const CONCURRENCY = 16;
/** Orders acknowledged before the crash (at least): enough that some are in flight when it comes. */
const ACKNOWLEDGED_BEFORE_CRASH = 24;

const newOrder = (n: number) => ({
  appealType: 'complaint',
  categoryCode: '0104',
  description: `路边垃圾堆积多日无人清理（第${n}件）。`,
  channel: 'app',
  urgency: 'normal',
  requester: { kind: 'person', anonymous: true },
  location: { districtCode: '110102', streetCode: '110102001' },
});

/** DynamoDB Local's process, as the data folder records it (local/dynamodb-folder.ts). */
const dynamoPid = (): number => {
  const { pid } = JSON.parse(readFileSync(join(localDir, 'data', 'dynamodb', OWNER_FILE), 'utf8')) as {
    pid: number;
  };
  dynamoPids.push(pid);
  return pid;
};

/** Every order item in the table, read under the API: those the intake saved but never answered too. */
const ordersInTable = async (s: StackProcess): Promise<{ id: string; receivedAt: string }[]> => {
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: s.dynamoEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const orders: { id: string; receivedAt: string }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: 'hotline-local',
        FilterExpression: 'sk = :order',
        ExpressionAttributeValues: { ':order': '#ORDER' },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? [])
      orders.push({ id: item.order.id, receivedAt: item.order.receivedAt });
    start = page.LastEvaluatedKey;
  } while (start);
  db.destroy();
  return orders;
};

const execution = async (s: StackProcess, id: string) => {
  const response = await s.api('GET', `/_local/executions/${id}`);
  return response.status === 200 ? (response.body as { status: string; startDate: number }) : undefined;
};

const healingsOf = async (s: StackProcess, id: string, token: string) => {
  const timeline = await s.api('GET', `/orders/${id}/timeline?verify=true`, { token });
  expect(timeline.body.verification, `${id}'s hash chain`).toMatchObject({ valid: true });
  return (timeline.body.items as { type: string; data: { healer: string } }[]).filter(
    (e) => e.type === 'lifecycle_healed',
  );
};

describe('every acknowledged order has a lifecycle', () => {
  it('keeps every order answered 201 across a SIGKILL during intake, and gives every saved order its lifecycle', async () => {
    // Prepare: a stack taking orders 16 at a time
    stack = await startStackProcess({ localDir, lifecycleReconciler: true });
    const first = stack;
    const operator = await first.token('operator');
    const oldDynamo = dynamoPid();
    const acknowledged: string[] = [];
    let sent = 0;
    let crashed = false;
    const intake = async () => {
      while (!crashed) {
        const n = ++sent;
        const response = await first
          .api('POST', '/orders', { token: operator, body: newOrder(n) })
          .catch(() => undefined);
        if (response?.status === 201) acknowledged.push(response.body.id);
        else if (response)
          throw new Error(`POST /orders answered ${response.status}: ${JSON.stringify(response.body)}`);
      }
    };
    const clients = Array.from({ length: CONCURRENCY }, intake);

    // Act: the crash, with requests in flight
    await eventually(
      async () => (acknowledged.length >= ACKNOWLEDGED_BEFORE_CRASH ? true : undefined),
      `${ACKNOWLEDGED_BEFORE_CRASH} orders acknowledged`,
      180_000,
    );
    await first.kill('SIGKILL');
    crashed = true;
    await Promise.all(clients);
    // What a real crash does to DynamoDB Local too: it dies with its stack (the watchdog), never serving on.
    await eventually(
      async () => (isRunning(oldDynamo) ? undefined : true),
      'the orphaned DynamoDB Local to die',
    );
    // The lifecycles the intake had started: the local Step Functions keeps each execution in a file.
    const startedBeforeCrash = new Set(
      readdirSync(join(localDir, 'data', 'executions'))
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -'.json'.length)),
    );
    stack = await startStackProcess({ localDir, fresh: false, lifecycleReconciler: true });
    const second = stack;

    // Assess: nothing acknowledged is lost, and one DynamoDB Local serves the folder
    const auditor = await second.token('auditor');
    const lost = [];
    for (const id of acknowledged) {
      if ((await second.api('GET', `/orders/${id}`, { token: auditor })).status !== 200) lost.push(id);
    }
    expect(lost).toEqual([]);
    expect(isRunning(dynamoPid())).toBe(true);
    const saved = await ordersInTable(second);
    expect(saved.length).toBeGreaterThanOrEqual(acknowledged.length);
    // Every saved order's lifecycle runs (waiting for its unit) within a bounded wait …
    const waiting = new Set(saved.map((o) => o.id));
    await eventually(
      async () => {
        for (const id of [...waiting])
          if ((await execution(second, id))?.status === 'RUNNING') waiting.delete(id);
        return waiting.size === 0 ? true : undefined;
      },
      'every saved order to have a running lifecycle',
      90_000,
    );
    // … also once the reconciler ran (every 5 minutes): it finds nothing left to heal.
    await second.api('POST', '/_local/clock', { body: { advance: 'PT6M' } });
    const operatorAgain = await second.token('operator');
    const stillReceived = (
      await second.api('GET', '/orders?status=received&limit=100', { token: operatorAgain })
    ).body.items;
    expect(stillReceived).toEqual([]);
    // Healing events exactly where the intake had not started the lifecycle (those started after the restart).
    const healed = { stream: 0, reconciler: 0 };
    for (const order of saved) {
      const healings = await healingsOf(second, order.id, auditor);
      const needed = !startedBeforeCrash.has(order.id);
      expect(healings.length, `${order.id} healed ${healings.length} times`).toBe(needed ? 1 : 0);
      for (const h of healings) healed[h.data.healer as keyof typeof healed]++;
    }
    console.log(
      `crash test: ${sent} sent, ${acknowledged.length} acknowledged, ${saved.length} saved, ` +
        `${saved.length - acknowledged.length} saved unanswered, healed by stream ${healed.stream}, ` +
        `by reconciler ${healed.reconciler}, lost ${lost.length}`,
    );
  }, 420_000);

  it('heals by the stream trigger an order whose lifecycle the intake could not start', async () => {
    // Prepare: Step Functions' API down at intake
    if (!stack) throw new Error('The stack of the first test is not running');
    const s = stack;
    const operator = await s.token('operator');
    const auditor = await s.token('auditor');
    await s.api('POST', '/_local/outages', { body: { stepFunctions: true } });

    // Act
    const created = await s.api('POST', '/orders', { token: operator, body: newOrder(9001) });
    const startedAtIntake = await execution(s, created.body.id);
    await s.api('POST', '/_local/outages', { body: { stepFunctions: false } });

    // Assess: acknowledged without a lifecycle, then healed by the stream trigger, once
    expect(created.status).toBe(201);
    expect(startedAtIntake).toBeUndefined();
    await eventually(
      async () => ((await execution(s, created.body.id))?.status === 'RUNNING' ? true : undefined),
      'the stream trigger to start the lifecycle',
      60_000,
    );
    const order = await eventually(async () => {
      const o = (await s.api('GET', `/orders/${created.body.id}`, { token: auditor })).body;
      return o.status === 'received' ? undefined : o;
    }, 'the lifecycle to dispatch the order');
    expect(order.status).toBe('dispatched');
    expect((await healingsOf(s, created.body.id, auditor)).map((h) => h.data)).toEqual([
      expect.objectContaining({
        healer: 'stream',
        reason: 'not_started',
        execution: created.body.id,
        round: 1,
      }),
    ]);
  }, 120_000);

  it('heals by the reconciler an order whose stream record was dead-lettered', async () => {
    // Prepare: an outage longer than the stream trigger's retries
    if (!stack) throw new Error('The stack of the first test is not running');
    const s = stack;
    const operator = await s.token('operator');
    const auditor = await s.token('auditor');
    await s.api('POST', '/_local/outages', { body: { stepFunctions: true } });
    const created = await s.api('POST', '/orders', { token: operator, body: newOrder(9002) });
    await eventually(
      async () => {
        const letters = (await s.api('GET', '/_local/dead-letters')).body.items as {
          streamTrigger?: string;
          records?: { dynamodb?: { Keys?: { pk?: { S?: string } } } }[];
        }[];
        const mine = letters.some(
          (l) =>
            l.streamTrigger === 'FollowOrderLogs' &&
            l.records?.some((r) => r.dynamodb?.Keys?.pk?.S === `ORDER#${created.body.id}`),
        );
        return mine ? true : undefined;
      },
      "the stream trigger's retries to run out",
      90_000,
    );
    await s.api('POST', '/_local/outages', { body: { stepFunctions: false } });

    // Act: the reconciler's next run
    await s.api('POST', '/_local/clock', { body: { advance: 'PT6M' } });

    // Assess
    expect(created.status).toBe(201);
    await eventually(
      async () => ((await execution(s, created.body.id))?.status === 'RUNNING' ? true : undefined),
      'the reconciler to start the lifecycle',
      30_000,
    );
    expect((await healingsOf(s, created.body.id, auditor)).map((h) => h.data)).toEqual([
      expect.objectContaining({ healer: 'reconciler', reason: 'not_started', execution: created.body.id }),
    ]);
  }, 180_000);
});
