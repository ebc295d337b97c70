import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deliverAtLeastOnce,
  FaultInjector,
  type FaultKind,
  startDynamoFaultProxy,
} from '../../../local/fault-injection.ts';

const injectorAlways = (kind: FaultKind) => new FaultInjector({ rate: 0.5, kinds: [kind], seed: 7 });

/** Draws until the injector picks a fault (rate 0.5, so within a few tries), counting the handler runs. */
const invokeUntilFault = async (injector: FaultInjector) => {
  let runs = 0;
  for (let i = 0; i < 100; i++) {
    try {
      await injector.invoke('createOrder', async () => {
        runs++;
        return 'ok';
      });
    } catch (error) {
      return { error: error as Error, runsBefore: runs, runsIncludingFaulty: runs };
    }
    runs = 0;
  }
  throw new Error('no fault in 100 draws at rate 0.5');
};

describe('FaultInjector', () => {
  it('injects nothing at rate 0 and counts nothing', () => {
    const injector = new FaultInjector({ rate: 0 });
    const drawn = Array.from({ length: 1000 }, () => injector.draw('lambda:x'));
    expect(drawn.every((d) => d === undefined)).toBe(true);
    expect(injector.report()).toMatchObject({ calls: 0, injected: 0 });
  });

  it('injects close to its rate, and the same faults for the same seed', () => {
    const draws = (seed: number) => {
      const injector = new FaultInjector({ rate: 0.1, seed });
      return Array.from({ length: 10_000 }, () => injector.draw('dynamodb') ?? '-');
    };
    const first = draws(42);
    const injected = first.filter((d) => d !== '-').length;
    expect(injected).toBeGreaterThan(850);
    expect(injected).toBeLessThan(1150);
    expect(draws(42)).toEqual(first);
    expect(draws(43)).not.toEqual(first);
  });

  it('reports its faults by target and kind, and only for the targets it was given', () => {
    const injector = new FaultInjector({ rate: 0.5, seed: 3, targets: ['lambda:a'], kinds: ['throttle'] });
    for (let i = 0; i < 200; i++) {
      injector.draw('lambda:a');
      injector.draw('lambda:b');
    }
    const report = injector.report();
    expect(report.calls).toBe(200);
    expect(Object.keys(report.byTarget)).toEqual(['lambda:a']);
    expect(report.byTarget['lambda:a']?.throttle).toBe(report.injected);
  });

  it('refuses settings outside its bounds', () => {
    expect(() => new FaultInjector({ rate: 1.1 })).toThrow();
    expect(() => new FaultInjector({ rate: -0.1 })).toThrow();
    expect(() => new FaultInjector({ rate: 0.1, kinds: ['fire' as FaultKind] })).toThrow();
  });

  it('throttles without running the handler, as Lambda does', async () => {
    const { error, runsBefore } = await invokeUntilFault(injectorAlways('throttle'));
    expect(error.name).toBe('TooManyRequestsException');
    expect(runsBefore).toBe(0);
  });

  it('fails before the handler runs with error, after it ran with error-after and timeout', async () => {
    const before = await invokeUntilFault(injectorAlways('error'));
    expect(before.error.name).toBe('InjectedFault');
    expect(before.runsBefore).toBe(0);
    const after = await invokeUntilFault(injectorAlways('error-after'));
    expect(after.error.message).toMatch(/after createOrder ran/);
    expect(after.runsIncludingFaulty).toBe(1);
    const timeout = await invokeUntilFault(injectorAlways('timeout'));
    expect(timeout.error.name).toBe('Sandbox.Timedout');
    expect(timeout.runsIncludingFaulty).toBe(1);
  });
});

describe('deliverAtLeastOnce', () => {
  const deliveries = async (injector: FaultInjector | undefined, count: number) => {
    const runs: number[] = [];
    for (let i = 0; i < count; i++) {
      const result = await deliverAtLeastOnce(injector, async () => {
        runs.push(i);
        if (runs.filter((r) => r === i).length > 1) throw new Error('a copy fails on its own');
        return i;
      });
      expect(result).toBe(i);
    }
    await injector?.drain();
    return runs;
  };

  it('delivers once without an injector or with no redeliveries', async () => {
    expect(await deliveries(undefined, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(await deliveries(new FaultInjector({ rate: 0 }), 5)).toEqual([0, 1, 2, 3, 4]);
  });

  it('delivers every event two or three times when every delivery is redelivered, later', async () => {
    const injector = new FaultInjector({ rate: 0, redeliveries: 1, seed: 5 });
    const runs = await deliveries(injector, 30);
    const copies = Array.from({ length: 30 }, (_, i) => runs.filter((r) => r === i).length);
    expect(copies.every((n) => n === 2 || n === 3)).toBe(true);
    expect(copies).toContain(2);
    expect(copies).toContain(3);
    // The first delivery of each event came in order; the copies came after it.
    expect(runs.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(injector.report().redelivered).toBe(runs.length - 30);
  });
});

describe('startDynamoFaultProxy', () => {
  let upstream: Server | undefined;
  let proxy: Server | undefined;
  afterEach(async () => {
    await Promise.all([upstream, proxy].map((s) => s && new Promise((r) => s.close(r))));
  });

  const startUpstream = async () => {
    const received: string[] = [];
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push(body);
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => upstream?.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, received };
  };

  const post = (url: string, body: string) =>
    fetch(url, { method: 'POST', body, headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem' } });

  it('passes calls through unchanged when no fault is drawn', async () => {
    const { url, received } = await startUpstream();
    const started = await startDynamoFaultProxy(url, new FaultInjector({ rate: 0 }));
    proxy = started.server;
    const response = await post(started.url, '{"TableName":"t"}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(received).toEqual(['{"TableName":"t"}']);
  });

  it('answers a throttle without forwarding, and a timeout with a 500 after forwarding', async () => {
    const { url, received } = await startUpstream();
    const throttling = await startDynamoFaultProxy(url, injectorAlways('throttle'));
    proxy = throttling.server;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await post(throttling.url, `{"n":${i}}`)).status);
    const throttled = statuses.filter((s) => s === 400).length;
    expect(throttled).toBeGreaterThan(0);
    expect(received).toHaveLength(20 - throttled);

    await new Promise((r) => throttling.server.close(r));
    received.length = 0;
    const timingOut = await startDynamoFaultProxy(url, injectorAlways('timeout'));
    proxy = timingOut.server;
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const response = await post(timingOut.url, `{"n":${i}}`);
        return { status: response.status, body: (await response.json()) as { __type?: string } };
      }),
    );
    const failed = answers.filter((a) => a.status === 500);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]?.body.__type).toMatch(/InternalServerError$/);
    // Every request reached DynamoDB, the failed ones too: their answer was lost, not their write.
    expect(received).toHaveLength(20);
  });
});
