import { join } from 'node:path';
import { referenceData } from '../functions/shared/platform/reference.ts';
import { loadOrCreateKeys, signLocalToken } from '../local/local-auth.ts';
import { codeLists, STATUS } from './generator/batch.ts';
import { createContext } from './generator/context.ts';
import { generateMonth } from './generator/model.ts';

/**
 * `npm run generate -- --replay N --api URL`: plays a month of generated orders through a running local
 * stack's own API on its manual clock, so the dashboard shows live orders too. Each order is recorded
 * (POST /orders) at its time of receipt, shifted so the month starts at the stack's "now"; the stack's
 * lifecycle dispatches it (a dispatcher does it for categories without a catalogue line); its unit
 * signs, contacts and replies, the centre accepts the reply, and the operator records the call-back
 * answer once GET /callbacks shows the task — each at its generated time, the clock moved forward in
 * steps (POST /_local/clock). What the generated month did not reach by its end stays open.
 *
 * Left to the stack: unreachable requesters (their attempts run out by schedule), expiry, the
 * supervision ladder, reopening after an unhappy answer (the reopened round is not replayed).
 */
export interface ReplayOptions {
  readonly api: string;
  readonly orders: number;
  readonly seed: string;
  /** The stack's local folder (its JWT key is in `<localDir>/keys`). */
  readonly localDir: string;
  /** Clock step in minutes. */
  readonly stepMinutes: number;
  readonly log: (line: string) => void;
}

export interface ReplayResult {
  readonly orders: number;
  readonly actions: number;
  readonly clockMoves: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly from: string;
  readonly to: string;
  readonly elapsedMs: number;
}

type Step =
  | { readonly kind: 'create' }
  | { readonly kind: 'dispatch'; readonly unitId: string }
  | { readonly kind: 'accept' }
  | { readonly kind: 'contact'; readonly at: number }
  | { readonly kind: 'reply'; readonly result: string }
  | { readonly kind: 'review' }
  | { readonly kind: 'callback'; readonly answer: Record<string, unknown>; readonly until: number };

interface Planned {
  readonly at: number;
  readonly order: number;
  readonly step: Step;
}

const MINUTE = 60_000;

export const replay = async (o: ReplayOptions): Promise<ReplayResult> => {
  const started = performance.now();
  const keys = await loadOrCreateKeys(join(o.localDir, 'keys'));
  const tokens = {
    operator: await signLocalToken(keys, { role: 'operator' }),
    dispatcher: await signLocalToken(keys, { role: 'dispatcher' }),
    auditor: await signLocalToken(keys, { role: 'auditor' }),
  };
  const unitTokens = new Map<string, Promise<string>>();
  const unitToken = (unitId: string) => {
    let t = unitTokens.get(unitId);
    if (!t) {
      t = signLocalToken(keys, { role: 'unit', unitId });
      unitTokens.set(unitId, t);
    }
    return t;
  };
  const call = async (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${o.api}${path}`, {
      method,
      headers: {
        ...headers,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> | undefined,
    };
  };

  const clock = await call('GET', '/_local/clock');
  if (clock.status !== 200 || clock.body?.mode !== 'manual') {
    throw new Error(
      `The stack at ${o.api} must run with its manual clock (npm start -- --clock manual); got ${JSON.stringify(clock.body)}`,
    );
  }
  const startMs = Date.parse(String(clock.body.now));
  // A generated month whose size is about N (the month of the stack's clock, a year of ~13 N orders).
  const month = new Date(startMs + 8 * 3_600_000).toISOString().slice(0, 7);
  const ctx = createContext({
    orders: Math.ceil(o.orders * 13),
    years: 1,
    endMonth: month,
    seed: o.seed,
    plant: false,
  });
  const plan = ctx.plan.months[ctx.plan.months.length - 1];
  if (!plan) throw new Error('No month to replay.');
  const { batch: b } = generateMonth(ctx, plan);
  const n = Math.min(o.orders, b.size);
  const rows = Array.from({ length: n }, (_, k) => Math.floor((k * b.size) / n));
  const shift = (t: number) => startMs + (t - plan.startMs);
  const endMs = shift(plan.endMs);
  o.log(
    `Replaying ${n} generated orders of ${month} (seed "${o.seed}") from ${new Date(startMs).toISOString()} to ${new Date(endMs).toISOString()} on ${o.api}`,
  );

  // ── the plan: every step of every order at its (shifted) time ──
  const planned: Planned[] = [];
  const rowToOrder = new Map<number, number>();
  rows.forEach((r, k) => {
    rowToOrder.set(r, k);
    const at = (t: number) => shift(t);
    planned.push({ at: at(b.received[r] as number), order: k, step: { kind: 'create' } });
    const dispatched = b.dispatched[r] as number;
    if (dispatched < 0) return;
    const leaf = b.leaf[r] as number;
    const unit = b.unit[r] as number;
    if (ctx.city.leafManual[leaf] && unit >= 0) {
      planned.push({
        at: at(dispatched),
        order: k,
        step: { kind: 'dispatch', unitId: ctx.city.unitIds[unit] as string },
      });
    }
    const status = b.status[r] as number;
    if (status === STATUS.dispatched || status === STATUS.received || status === STATUS.awaiting_dispatch)
      return;
    const contacted = b.contacted[r] as number;
    const acceptAt =
      contacted >= 0 ? Math.min(dispatched + 10 * MINUTE, contacted - MINUTE) : dispatched + 10 * MINUTE;
    planned.push({ at: at(Math.max(acceptAt, dispatched + MINUTE)), order: k, step: { kind: 'accept' } });
    if (contacted >= 0)
      planned.push({ at: at(contacted), order: k, step: { kind: 'contact', at: at(contacted) } });
    const replied = b.replied[r] as number;
    if (replied >= 0) {
      const result = codeLists.reply_result[b.replyResult[r] as number] || 'resolved';
      planned.push({ at: at(replied), order: k, step: { kind: 'reply', result } });
      const closed = b.closed[r] as number;
      if (closed >= 0) planned.push({ at: at(closed), order: k, step: { kind: 'review' } });
    }
    const answered = b.answered[r] as number;
    if (answered >= 0 && b.answerSolved[r] && b.answerSatisfied[r]) {
      planned.push({
        at: at(answered),
        order: k,
        step: {
          kind: 'callback',
          answer: {
            reached: true,
            contactedInTime: b.contactedInTime[r] !== 1,
            solved: codeLists.answer_solved[b.answerSolved[r] as number],
            satisfied: codeLists.answer_satisfied[b.answerSatisfied[r] as number],
          },
          until: at(answered) + 3 * 24 * 60 * MINUTE,
        },
      });
    }
  });
  planned.sort((x, y) => x.at - y.at || x.order - y.order);

  // ── play it ──
  const ids: (string | undefined)[] = new Array(n);
  const failures: Record<string, number> = {};
  const fail = (what: string) => {
    failures[what] = (failures[what] ?? 0) + 1;
  };
  let actions = 0;
  let clockMoves = 0;
  let now = startMs;
  const readOrder = async (id: string) => (await call('GET', `/orders/${id}`, tokens.auditor)).body ?? {};
  /** Waits (in wall time) until the stack's lifecycle has moved the order past `status`. */
  const settled = async (id: string, until: (order: Record<string, unknown>) => boolean) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const order = await readOrder(id);
      if (until(order)) return order;
      if (Date.now() > deadline) return order;
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const openCallbacks = async (): Promise<Set<string>> => {
    const out = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await call(
        'GET',
        `/callbacks?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        tokens.operator,
      );
      for (const t of (page.body?.items as { orderId: string }[] | undefined) ?? []) out.add(t.orderId);
      cursor = page.body?.cursor as string | undefined;
    } while (cursor);
    return out;
  };
  const deferred: Planned[] = [];
  const run = async (p: Planned, callbacksOpen: () => Promise<Set<string>>): Promise<void> => {
    const step = p.step;
    if (step.kind === 'create') {
      // A repeat disposition names its original's live id, when the original was replayed too.
      const row = rows[p.order] as number;
      const original = rowToOrder.get(b.repeatOf[row] as number);
      const originalId = original === undefined ? undefined : ids[original];
      const body = orderBody(ctx, b, row, originalId);
      const r = await call('POST', '/orders', tokens.operator, body, {
        'Idempotency-Key': `replay-${o.seed}-${month}-${p.order}`,
      });
      actions++;
      if (r.status === 201 || r.status === 200) ids[p.order] = String(r.body?.id);
      else fail(`create ${r.status}`);
      return;
    }
    const id = ids[p.order];
    if (!id) return fail(`${step.kind} without order`);
    const post = async (action: string, token: string, body: unknown) => {
      const r = await call('POST', `/orders/${id}/${action}`, token, body);
      actions++;
      if (r.status !== 200) fail(`${action} ${r.status}`);
      return r;
    };
    if (step.kind === 'dispatch') {
      await settled(id, (x) => x.status !== 'received');
      await post('dispatch', tokens.dispatcher, { unitId: step.unitId });
      return;
    }
    if (step.kind === 'callback') {
      if (!(await callbacksOpen()).has(id)) {
        // The stack's attempt opens on its own schedule: try again at the next steps, for a while.
        if (now < step.until) deferred.push({ ...p, at: now + o.stepMinutes * MINUTE });
        else fail('callback never opened');
        return;
      }
      await post('callback', tokens.operator, step.answer);
      return;
    }
    const order = await settled(id, (x) => x.status !== 'received' && x.status !== 'awaiting_dispatch');
    const unitId = typeof order.unitId === 'string' ? order.unitId : undefined;
    if (step.kind === 'review') {
      await settled(id, (x) => x.status === 'replied');
      await post('reply-review', tokens.operator, { decision: 'accept' });
      return;
    }
    if (!unitId) return fail(`${step.kind} without unit`);
    const token = await unitToken(unitId);
    if (step.kind === 'accept') await post('accept', token, {});
    else if (step.kind === 'contact') {
      // The stack dispatched at its own clock step, which may come after the generated contact time:
      // a contact is never recorded before the dispatch (nor after now).
      const dispatchedAt = Date.parse(String(order.dispatchedAt ?? '')) || step.at;
      const at = Math.min(Math.max(step.at, dispatchedAt + 1000), now);
      await post('contact', token, {
        way: 'phone',
        at: new Date(at).toISOString(),
        note: '已电话联系（回放）',
      });
    } else if (step.kind === 'reply')
      await post('reply', token, { result: step.result, text: '已按诉求办理并答复（生成的回放工单）。' });
  };

  const queue = planned;
  let i = 0;
  let lastLog = performance.now();
  while (i < queue.length || deferred.length > 0) {
    // The next clock step: everything due by then runs, orders in parallel, each order's steps in order.
    const nextAt = Math.min(queue[i]?.at ?? Number.POSITIVE_INFINITY, ...deferred.map((d) => d.at));
    if (nextAt > endMs) break;
    const target = Math.max(now, Math.ceil(nextAt / (o.stepMinutes * MINUTE)) * o.stepMinutes * MINUTE);
    if (target > now) {
      const moved = await call('POST', '/_local/clock', undefined, { set: new Date(target).toISOString() });
      if (moved.status !== 200) throw new Error(`Could not move the clock: ${JSON.stringify(moved.body)}`);
      now = target;
      clockMoves++;
    }
    const due: Planned[] = [];
    while (i < queue.length && (queue[i] as Planned).at <= now) due.push(queue[i++] as Planned);
    for (let k = deferred.length - 1; k >= 0; k--)
      if ((deferred[k] as Planned).at <= now) due.push(...deferred.splice(k, 1));
    const byOrder = new Map<number, Planned[]>();
    for (const p of due) byOrder.set(p.order, [...(byOrder.get(p.order) ?? []), p]);
    let open: Promise<Set<string>> | undefined;
    const callbacksOpen = () => {
      open ??= openCallbacks();
      return open;
    };
    const groups = [...byOrder.values()];
    for (let g = 0; g < groups.length; g += 8) {
      await Promise.all(
        groups.slice(g, g + 8).map(async (steps) => {
          for (const p of steps) await run(p, callbacksOpen);
        }),
      );
    }
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      o.log(
        `  ${new Date(now).toISOString()}  ${ids.filter(Boolean).length}/${n} orders, ${actions} actions, ${clockMoves} clock steps`,
      );
    }
  }
  return {
    orders: ids.filter(Boolean).length,
    actions,
    clockMoves,
    failures,
    from: new Date(startMs).toISOString(),
    to: new Date(now).toISOString(),
    elapsedMs: performance.now() - started,
  };
};

/** POST /orders body of a generated row: the same intake, with made-up contact details. */
const orderBody = (
  ctx: ReturnType<typeof createContext>,
  b: ReturnType<typeof generateMonth>['batch'],
  r: number,
  originalId: string | undefined,
) => {
  const leaf = ctx.city.leafCodes[b.leaf[r] as number] as string;
  const street = ctx.city.streets[b.street[r] as number] as { code: string; parentCode: string };
  const appeal = codeLists.appeal_type[b.appeal[r] as number] as string;
  const id = b.requester[r] as number;
  const enterprise = b.kind[r] === 2;
  const digits = String(Math.floor(id) % 100_000_000).padStart(8, '0');
  const requester = b.anonymous[r]
    ? { kind: enterprise ? 'enterprise' : 'person', anonymous: true }
    : {
        kind: enterprise ? 'enterprise' : 'person',
        ...(enterprise
          ? { name: `回放企业${digits.slice(-4)}`, creditCode: `91110${digits}MA1X1` }
          : { name: `市民${digits.slice(-4)}` }),
        phone: `139${digits}`,
        declinesCallback: b.declines[r] === 1,
      };
  const p = b.place[r] as number;
  const location = {
    districtCode: street.parentCode,
    streetCode: street.code,
    ...(p >= 0 ? { lat: ctx.city.placeLat[p], long: ctx.city.placeLng[p], address: `生成地点${p}` } : {}),
  };
  const kind = codeLists.disposition[b.disposition[r] as number] as string;
  const disposition =
    kind === 'answered'
      ? { kind, answer: '已当场解答（生成的回放工单）。' }
      : kind === 'emergency_transfer'
        ? { kind, transferredTo: '110' }
        : kind === 'legal_channel'
          ? { kind, channel: 'litigation' }
          : kind === 'confidential' || kind === 'outside_duty' || kind === 'unlawful'
            ? { kind }
            : kind === 'repeat' && originalId
              ? { kind, originalOrderId: originalId }
              : undefined; // a repeat whose original was not replayed is recorded as an ordinary contact
  return {
    appealType: appeal,
    categoryCode: leaf,
    description: `${referenceData.category(leaf)?.name ?? leaf}（生成的回放工单）`,
    channel: codeLists.channel[b.channel[r] as number],
    urgency: codeLists.urgency[b.urgency[r] as number],
    requester,
    location,
    ...(disposition ? { disposition } : {}),
  };
};
