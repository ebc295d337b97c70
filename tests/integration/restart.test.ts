import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, type StackProcess, startStackProcess } from './local-stack-process.ts';
import { scenario } from './scenario.ts';

/** Data persists across restarts: orders, histories, the manual clock, and lifecycles still waiting. */
const localDir = mkdtempSync(join(tmpdir(), 'hotline-restart-'));
let stack: StackProcess | undefined;

afterAll(async () => {
  await stack?.stop();
  rmSync(localDir, { recursive: true, force: true });
});

describe('the local stack across a restart', () => {
  it('keeps orders, execution histories and the clock, and resumes a lifecycle that was waiting', async () => {
    // Prepare: an order waiting for its unit's reply, one day into its seven
    stack = await startStackProcess({ startAt: '2026-12-01T09:00:00+08:00', localDir });
    const operator = await stack.token('operator');
    const created = (
      await stack.api('POST', '/orders', {
        token: operator,
        body: {
          appealType: 'complaint',
          categoryCode: '0104',
          description: '路边垃圾堆积多日无人清理。',
          channel: 'app',
          urgency: 'normal',
          requester: { kind: 'person', anonymous: true },
          location: { districtCode: '110102', streetCode: '110102001' },
        },
      })
    ).body;
    await eventually(async () => {
      const h = (await stack?.api('GET', `/_local/executions/${created.id}`))?.body;
      return h?.events?.at(-1)?.type === 'TaskSubmitted' ? h : undefined;
    }, 'the lifecycle to wait for the reply');
    await stack.api('POST', '/_local/clock', { body: { advance: 'P1D' } });
    const clockBefore = (await stack.api('GET', '/_local/clock')).body.now;

    // Act: stop and start again on the same folder
    await stack.stop();
    stack = await startStackProcess({ localDir, fresh: false });

    // Assess: the order, its history and the clock are back
    const auditor = await stack.token('auditor');
    const order = (await stack.api('GET', `/orders/${created.id}`, { token: auditor })).body;
    expect(order.status).toBe('dispatched');
    expect((await stack.api('GET', '/_local/clock')).body.now).toBe(clockBefore);
    const history = await eventually(async () => {
      const h = (await stack?.api('GET', `/_local/executions/${created.id}`))?.body;
      return h?.events?.at(-1)?.type === 'TaskSubmitted' &&
        h.events.some((e: { type: string }) => e.type === 'ExecutionRedriven')
        ? h
        : undefined;
    }, 'the redriven lifecycle to wait again');
    expect(history.events[0].type).toBe('ExecutionStarted');
    expect(history.redriveCount).toBe(1);

    // Act: the reply after the restart completes the resumed lifecycle
    const unit = await stack.token('unit', 'st-110102001');
    const s = scenario(stack, { operator, auditor });
    await s.step(created.id, 'accept', unit);
    await s.step(created.id, 'reply', unit, { result: 'resolved', text: '已清运。' });
    const closed = await s.step(created.id, 'reply-review', await stack.token('operator'), {
      decision: 'accept',
    });
    expect(closed.closure).toEqual({ outcome: 'handled' });
    // The deadline did not move: the resumed wait still ends at the original resolveBy.
    expect(closed.deadlines.resolveBy).toBe(order.deadlines.resolveBy);
  });
});
