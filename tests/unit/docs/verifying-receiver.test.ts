import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDelivery } from '#domain/push-signature.ts';

/** The documented receiver (docs/examples/verifying-receiver.mjs), run as written, against signed deliveries. */
let receiver: ChildProcess;
let url = '';

beforeAll(async () => {
  receiver = spawn(process.execPath, ['docs/examples/verifying-receiver.mjs'], {
    env: { ...process.env, HOTLINE_SECRET: 'whsec-test', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let output = '';
    receiver.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening on (\d+)/.exec(output)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}/`);
    });
    receiver.once('exit', (code) => reject(new Error(`The receiver exited with ${code}: ${output}`)));
  });
}, 30_000);

afterAll(() => {
  receiver?.kill();
});

const post = (body: string, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('the documented verifying receiver', () => {
  const body = JSON.stringify({ type: 'WorkOrder Dispatched', orderId: 'WO01KBAAAAAAAAAAAAAAAAAAAAAA' });

  it('takes a signed delivery once, and answers a redelivery of the same id without handling it again', async () => {
    const headers = signDelivery({ id: 'dlv_1', body, nowMs: Date.now() }, ['whsec-test']);
    expect((await post(body, headers)).status).toBe(204);
    const again = await post(body, signDelivery({ id: 'dlv_1', body, nowMs: Date.now() }, ['whsec-test']));
    expect([again.status, await again.text()]).toEqual([200, 'already handled']);
  });

  it('refuses a changed body, another secret, a replay older than five minutes, and no signature', async () => {
    const signed = signDelivery({ id: 'dlv_2', body, nowMs: Date.now() }, ['whsec-test']);
    expect((await post(`${body} `, signed)).status).toBe(401);
    expect((await post(body, signDelivery({ id: 'dlv_3', body, nowMs: Date.now() }, ['other']))).status).toBe(
      401,
    );
    const old = signDelivery({ id: 'dlv_4', body, nowMs: Date.now() - 301_000 }, ['whsec-test']);
    expect((await post(body, old)).status).toBe(401);
    expect((await post(body, {})).status).toBe(401);
  });
});
