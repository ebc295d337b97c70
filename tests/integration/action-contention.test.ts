import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * Many people acting on one order at the same moment, on the real local stack (DynamoDB Local's
 * transactions, the lifecycle storing and consuming its task token in between). Without If-Match the
 * caller asked for no optimistic check: every valid action must land, each once in the log. With
 * If-Match, exactly one of those who read the same version wins; the others hear 409 VERSION_CONFLICT.
 */
const CONCURRENT = 20;
const UNIT = 'st-110105001';
let stack: StackProcess;
let s: ReturnType<typeof scenario>;
let unit: string;
let supervisor: string;

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-01T10:00:00+08:00' });
  unit = await stack.token('unit', UNIT);
  supervisor = await stack.token('supervisor');
  s = scenario(stack, { operator: await stack.token('operator'), auditor: await stack.token('auditor') });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** An order its street office signed for, the lifecycle waiting for the next action. */
const acceptedOrder = async () => {
  const { id } = await s.create(complaint());
  await s.untilWaiting(id, 'dispatched');
  await s.step(id, 'accept', unit);
  return id;
};

const notes = (prefix: string) => Array.from({ length: CONCURRENT }, (_v, i) => `${prefix} 第${i + 1}次进展`);

describe('concurrent actions on one order', () => {
  it('saves all 20 progress notes sent at once without If-Match, each once in the log', async () => {
    // Prepare
    const id = await acceptedOrder();
    const before = (await s.read(id)).version as number;
    const texts = notes('巡查');

    // Act
    const started = Date.now();
    const responses = await Promise.all(texts.map((text) => s.act(id, 'progress', unit, { text })));
    const elapsedMs = Date.now() - started;

    // Assess
    expect(
      responses.map((r) => r.status),
      JSON.stringify(responses.filter((r) => r.status !== 200).map((r) => r.body)),
    ).toEqual(texts.map(() => 200));
    const logged = (await s.timeline(id)).filter((e) => e.type === 'progress_noted').map((e) => e.data.text);
    expect([...logged].sort()).toEqual([...texts].sort());
    expect((await s.read(id)).version).toBe(before + CONCURRENT);
    await s.untilWaiting(id, 'accepted');
    console.info(`${CONCURRENT} concurrent progress notes saved in ${elapsedMs} ms`);
  });

  it('saves one of 20 progress notes sent at once with the same If-Match, and refuses the others with 409', async () => {
    // Prepare
    const id = await acceptedOrder();
    const { version } = await s.read(id);
    const texts = notes('核查');

    // Act
    const responses = await Promise.all(
      texts.map((text) => s.act(id, 'progress', unit, { text }, { 'if-match': `"${version}"` })),
    );

    // Assess
    const saved = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status !== 200);
    expect(saved).toHaveLength(1);
    expect(refused.map((r) => [r.status, r.body.error?.code])).toEqual(
      refused.map(() => [409, 'VERSION_CONFLICT']),
    );
    const logged = (await s.timeline(id)).filter((e) => e.type === 'progress_noted').map((e) => e.data.text);
    expect(logged).toEqual([texts[responses.findIndex((r) => r.status === 200)]]);
    expect((await s.read(id)).version).toBe(version + 1);
  });

  it('saves all 20 assessment exclusions sent at once, each once in the log', async () => {
    // Prepare: the same service saves the assessment decisions
    const id = await acceptedOrder();
    const texts = notes('核实');

    // Act
    const responses = await Promise.all(
      texts.map((note) =>
        stack.api('POST', `/orders/${id}/assessment-exclusion`, {
          token: supervisor,
          body: { reason: 'duplicate', note },
        }),
      ),
    );

    // Assess
    expect(responses.map((r) => r.status)).toEqual(texts.map(() => 200));
    const logged = (await s.timeline(id))
      .filter((e) => e.type === 'assessment_excluded')
      .map((e) => e.data.note);
    expect([...logged].sort()).toEqual([...texts].sort());
  });
});
