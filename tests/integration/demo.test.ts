import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StackProcess, startStackProcess } from './local-stack-process.ts';

/** `npm start` on an empty database: the demo orders go through the real API and lifecycle. */
let stack: StackProcess;

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-01T09:00:00+08:00', demo: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the demo data of npm start', () => {
  it('creates the demo orders: handled ones closed, dispositions closed, the rest with their units', async () => {
    const auditor = await stack.token('auditor');
    const { body } = await stack.api('GET', '/orders?limit=100', { token: auditor });
    expect(body.items).toHaveLength(13);
    const byStatus = (status: string) => body.items.filter((o: { status: string }) => o.status === status);
    expect(byStatus('closed').length).toBe(6); // 3 handled and accepted, 3 dispositions
    expect(byStatus('awaiting_dispatch')).toHaveLength(1);
    expect(byStatus('dispatched')).toHaveLength(6);
    expect(new Set(body.items.map((o: { appealType: string }) => o.appealType))).toEqual(
      new Set(['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise']),
    );
  });
});
