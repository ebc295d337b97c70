import { expect } from 'vitest';
import { type ApiResponse, eventually, type StackProcess } from './local-stack-process.ts';
import { complaint } from './scenario.ts';

/**
 * A day of orders driven through the whole loop by clients that behave as real ones do, for the
 * resilience tests (faults, replays): each contact and each action carries its own Idempotency-Key; a
 * 5xx or a dropped connection is retried with the same key; with `copies` > 1 every request is sent
 * that many times at once (a client that retries too eagerly, a proxy that duplicates). Then the
 * checks that nothing was lost, stuck or doubled, and that the counters agree with the logs.
 */
export const UNIT = 'st-110105001';

export interface BusyDay {
  readonly stack: StackProcess;
  readonly operator: string;
  readonly unit: string;
  readonly auditor: string;
  /** Requests sent per request meant (1 = once). */
  readonly copies: number;
  readonly concurrency: number;
  /** Requests retried after a 5xx or a dropped connection. */
  clientRetries: number;
}

export const busyDay = async (
  stack: StackProcess,
  options: { copies?: number; concurrency?: number } = {},
): Promise<BusyDay> => ({
  stack,
  operator: await stack.token('operator'),
  unit: await stack.token('unit', UNIT),
  auditor: await stack.token('auditor'),
  copies: options.copies ?? 1,
  concurrency: options.concurrency ?? 8,
  clientRetries: 0,
});

/** One request as a client makes it: retried on 5xx and on dropped connections, with one key. */
const once = async (
  day: BusyDay,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; key?: string },
): Promise<ApiResponse> => {
  let last = '';
  for (let attempt = 1; attempt <= 15; attempt++) {
    try {
      const response = await day.stack.api(method, path, {
        ...(options.token ? { token: options.token } : {}),
        ...(options.body !== undefined ? { body: options.body } : {}),
        headers: options.key ? { 'idempotency-key': options.key } : {},
      });
      if (response.status < 500) return response;
      last = `${response.status} ${JSON.stringify(response.body)}`;
    } catch (error) {
      last = String(error);
    }
    day.clientRetries++;
  }
  throw new Error(`${method} ${path} failed 15 times: ${last}`);
};

/**
 * The request sent `copies` times at once; the answers must agree (a replay answers as the original
 * did), and the first one is returned.
 */
export const call = async (
  day: BusyDay,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; key?: string } = {},
): Promise<ApiResponse> => {
  const copies = method === 'GET' || !options.key ? 1 : day.copies;
  const answers = await Promise.all(Array.from({ length: copies }, () => once(day, method, path, options)));
  const [first] = answers;
  if (!first) throw new Error('no answer');
  return first;
};

const read = async (day: BusyDay, id: string) =>
  (await call(day, 'GET', `/orders/${id}`, { token: day.auditor })).body;

/** Runs `work` over `items`, `concurrency` at a time. */
export const inParallel = async <T>(day: BusyDay, items: readonly T[], work: (item: T) => Promise<void>) => {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: day.concurrency }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
};

/** Moves the manual clock 5 s on, so that Step Functions' retry backoffs run out. */
const nudgeClock = async (day: BusyDay) => {
  await day.stack.api('POST', '/_local/clock', { body: { advance: 'PT5S' } });
};

/** Waits until the order is at `status` and its lifecycle waits for people (or has ended when closed). */
const until = async (day: BusyDay, id: string, status: string) => {
  try {
    return await eventually(
      async () => {
        const order = await read(day, id);
        const history = (await day.stack.api('GET', `/_local/executions/${id}`)).body;
        const waiting = history.events?.at(-1)?.type === 'TaskSubmitted';
        if (order.status === status && (status === 'closed' || waiting)) return order;
        // A task being retried waits out its backoff on the stack's clock: let a few seconds pass.
        if (history.status === 'RUNNING' && !waiting) await nudgeClock(day);
        return undefined;
      },
      `order ${id} to be ${status} and waiting`,
      240_000,
    );
  } catch (error) {
    // What the order and its execution look like, so a failure says where the loop broke.
    const order = await read(day, id);
    const history = (await day.stack.api('GET', `/_local/executions/${id}`)).body;
    const tail = (history.events ?? [])
      .slice(-6)
      .map((e: Record<string, unknown>) => JSON.stringify(e).slice(0, 300));
    throw new Error(
      `${(error as Error).message}: order is ${order.status} (flags ${JSON.stringify(order.flags ?? {})}), ` +
        `execution ${history.status ?? 'missing'}:\n${tail.join('\n')}`,
    );
  }
};

/** An action as a person takes it: one key per intended action, retried until it is answered. */
const act = async (day: BusyDay, id: string, action: string, token: string, body: unknown, next: string) => {
  const response = await call(day, 'POST', `/orders/${id}/${action}`, {
    token,
    body,
    key: `${id}:${action}`,
  });
  expect(response.status, `${action} on ${id}: ${JSON.stringify(response.body)}`).toBe(200);
  await until(day, id, next);
};

/** The day's contacts, each recorded once: the ids of the orders acknowledged (201). */
export const receiveContacts = async (day: BusyDay, count: number): Promise<string[]> => {
  const acknowledged: string[] = [];
  await inParallel(
    day,
    Array.from({ length: count }, (_, i) => i),
    async (i) => {
      const response = await call(day, 'POST', '/orders', {
        token: day.operator,
        key: `contact-${i}`,
        body: complaint({ description: `第${i + 1}号来电：楼下商户私自搭建彩钢板房，占用消防通道。` }),
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      acknowledged.push(response.body.id);
    },
  );
  return acknowledged;
};

/** The unit handles each order and the centre accepts each reply: every order closes. */
export const handleOrders = (day: BusyDay, ids: readonly string[]) =>
  inParallel(day, ids, async (id) => {
    await until(day, id, 'dispatched');
    await act(day, id, 'accept', day.unit, {}, 'accepted');
    await act(day, id, 'contact', day.unit, { way: 'phone' }, 'accepted');
    await act(
      day,
      id,
      'reply',
      day.unit,
      { result: 'resolved', text: '已拆除违建，恢复消防通道。' },
      'replied',
    );
    await act(day, id, 'reply-review', day.operator, { decision: 'accept' }, 'closed');
  });

/**
 * The next calling hour: every requester answers the survey link (one in four "basically satisfied", 基本满意).
 */
export const answerCallbacks = async (day: BusyDay, ids: readonly string[]) => {
  const scheduled = await Promise.all(
    ids.map((id) =>
      eventually(
        async () => {
          const order = await read(day, id);
          return order.callback?.firstAttemptAt ? Date.parse(order.callback.firstAttemptAt) : undefined;
        },
        `order ${id}'s call-back to be scheduled`,
        120_000,
      ),
    ),
  );
  const due = Math.max(...scheduled) + 60_000;
  const now = Date.parse((await day.stack.api('GET', '/_local/clock')).body.now);
  if (due > now) {
    const moved = await day.stack.api('POST', '/_local/clock', {
      body: { set: new Date(due).toISOString() },
    });
    expect(moved.status).toBe(200);
  }
  // A failed attempt is retried as Lambda retries an asynchronous invocation: 1 and 2 minutes later
  // on the stack's clock, which is manual; one that failed all three is scheduled again by the call-back
  // reconciler once 15 minutes overdue (a run every 5). While an SMS is missing, the clock moves 60 s
  // each second, 30 minutes at most (the calling hour is long enough).
  let movedMs = 0;
  let lastMove = Date.now();
  const links = await eventually(
    async () => {
      const items = (await day.stack.api('GET', '/_local/outbox')).body.items as {
        orderId: string;
        link?: string;
      }[];
      const byOrder = new Map(items.filter((m) => m.link).map((m) => [m.orderId, String(m.link)]));
      if (ids.every((id) => byOrder.has(id))) return byOrder;
      if (Date.now() - lastMove >= 1_000 && movedMs < 30 * 60_000) {
        await day.stack.api('POST', '/_local/clock', { body: { advance: 'PT1M' } });
        movedMs += 60_000;
        lastMove = Date.now();
      }
      return undefined;
    },
    'every call-back SMS to be sent',
    120_000,
  );
  await inParallel(day, ids, async (id) => {
    const token = links.get(id)?.split('/').at(-1);
    const answer = ids.indexOf(id) % 4 === 0 ? 'basically' : 'satisfied';
    const responses = await Promise.all(
      Array.from({ length: day.copies }, () =>
        once(day, 'POST', `/surveys/${token}`, {
          body: { contactedInTime: true, solved: 'solved', satisfied: answer },
        }),
      ),
    );
    // One answer counts; a repeated or retried one finds the link used (410).
    for (const r of responses) expect([200, 410], JSON.stringify(r.body)).toContain(r.status);
  });
};

/**
 * Nothing lost, stuck or doubled: the acknowledged contacts are exactly the unit's orders; each is
 * closed with its call-back answered, its log intact, each fact in it once; one SMS per order; the
 * unit's assessment counters are what the logs say.
 */
export const expectDayReconciles = async (
  day: BusyDay,
  ids: readonly string[],
  options: { counters?: boolean } = {},
) => {
  const listed = await eventually(
    async () => {
      const page = (await call(day, 'GET', `/orders?unitId=${UNIT}&limit=100`, { token: day.auditor })).body;
      return page.items?.length >= ids.length ? page.items : undefined;
    },
    'the unit to list every order',
    60_000,
  );
  expect(listed.map((o: { id: string }) => o.id).sort()).toEqual([...ids].sort());

  const fromLogs = { closed: 0, answered: 0, satisfied: 0, basically: 0 };
  for (const id of ids) {
    await eventually(
      async () => {
        const o = await read(day, id);
        return o.status === 'closed' && o.callback?.state === 'answered' ? o : undefined;
      },
      `order ${id} to be closed with its call-back answered`,
      120_000,
    );
    const timeline = (await call(day, 'GET', `/orders/${id}/timeline?verify=true`, { token: day.auditor }))
      .body;
    expect(timeline.verification, id).toEqual({ valid: true, count: timeline.items.length });
    const events = timeline.items as { type: string; data: Record<string, unknown> }[];
    const types = events.map((e) => e.type);
    for (const once of ['received', 'dispatched', 'accepted', 'replied', 'closed', 'callback_answered'])
      expect(
        types.filter((t) => t === once),
        `${id}: ${once} in ${types.join(',')}`,
      ).toHaveLength(1);
    fromLogs.closed++;
    const answered = events.find((e) => e.type === 'callback_answered');
    if (answered) fromLogs.answered++;
    if (answered?.data.satisfied === 'basically') fromLogs.basically++;
    else if (answered?.data.satisfied === 'satisfied') fromLogs.satisfied++;
  }

  const outbox = (await day.stack.api('GET', '/_local/outbox')).body.items as { orderId: string }[];
  for (const id of ids)
    expect(
      outbox.filter((m) => m.orderId === id),
      `SMS of ${id}`,
    ).toHaveLength(1);
  const schedules = (await day.stack.api('GET', '/_local/schedules')).body.items as { name: string }[];
  expect(new Set(schedules.map((s) => s.name)).size).toBe(schedules.length);

  if (options.counters === false) return;
  const counts = await eventually(
    async () => {
      const c = (await call(day, 'GET', `/assessment/units/${UNIT}?month=2026-12`, { token: day.auditor }))
        .body.counts;
      return c?.answered === fromLogs.answered ? c : undefined;
    },
    'the assessment to count every answer',
    120_000,
  );
  expect(counts).toMatchObject({
    assessed: fromLogs.closed,
    respondedInTime: fromLogs.closed,
    answered: fromLogs.answered,
    solved: fromLogs.answered,
    satisfied: fromLogs.satisfied,
    basicallySatisfied: fromLogs.basically,
  });
  expect(fromLogs).toEqual({
    closed: ids.length,
    answered: ids.length,
    basically: Math.ceil(ids.length / 4),
    satisfied: ids.length - Math.ceil(ids.length / 4),
  });
};
