import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StackProcess, startStackProcess } from './local-stack-process.ts';
import { complaint, scenario } from './scenario.ts';

/**
 * Possible duplicates at intake (Art. 11 repeat), on the real local stack: the sparse byPlace index in
 * DynamoDB Local, written by the order store and read by POST /orders and GET /orders/{id}. The manual
 * clock starts on Monday 7 December 2026, 10:00 in Beijing.
 */
let stack: StackProcess;
let s: ReturnType<typeof scenario>;
let operator: string;
let unit: string;

/** 建国门外大街 in 建外街道 (110105001); places a given distance north or east of it. */
const P0 = { lat: 39.9087, long: 116.44 };
const METERS_PER_DEGREE = (Math.PI / 180) * 6_371_008.8;
const north = (meters: number) => ({ lat: P0.lat + meters / METERS_PER_DEGREE, long: P0.long });
const east = (meters: number) => ({
  lat: P0.lat,
  long: P0.long + meters / (METERS_PER_DEGREE * Math.cos((P0.lat * Math.PI) / 180)),
});

/** An illegal building (0101) reported at a place in 建外街道. */
const reportAt = (place: { lat: number; long: number }, overrides: Record<string, unknown> = {}) =>
  complaint({ location: { districtCode: '110105', streetCode: '110105001', ...place }, ...overrides });

const post = async (body: unknown) => {
  const response = await stack.api('POST', '/orders', { token: operator, body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
};

const get = async (id: string, token = operator) => (await stack.api('GET', `/orders/${id}`, { token })).body;

beforeAll(async () => {
  stack = await startStackProcess({ startAt: '2026-12-07T10:00:00+08:00' });
  operator = await stack.token('operator');
  unit = await stack.token('unit', 'st-110105001');
  s = scenario(stack, { operator, auditor: await stack.token('auditor') });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('possible duplicates at intake', () => {
  let first: { id: string; description: string; receivedAt: string };
  let second: { id: string; possibleDuplicates: unknown };

  it('lists in the 201 the open order of the same category 120 m away, with its distance, and nothing else', async () => {
    // Prepare: the first report; around it one 400 m away, one of another category, one closed after
    // being handled, and one disposed at intake
    first = await post(reportAt(P0));
    await s.untilWaiting(first.id, 'dispatched');
    const far = await post(reportAt(east(400)));
    const otherCategory = await post(
      reportAt(east(50), { categoryCode: '0104', description: '垃圾站异味。' }),
    );
    const handled = await post(reportAt(east(60)));
    await s.untilWaiting(handled.id, 'dispatched');
    await s.step(handled.id, 'accept', unit);
    await s.step(handled.id, 'reply', unit, { result: 'resolved', text: '已拆除。' });
    await s.step(handled.id, 'reply-review', operator, { decision: 'accept' });
    expect((await s.read(handled.id)).status).toBe('closed');
    const disposed = await post(reportAt(east(30), { disposition: { kind: 'outside_duty' } }));
    expect(disposed).not.toHaveProperty('possibleDuplicates');
    for (const id of [far.id, otherCategory.id]) await s.untilWaiting(id, 'dispatched');

    // Act: the second report, 120 m north of the first
    second = await post(reportAt(north(120)));

    // Assess
    expect(second.possibleDuplicates).toEqual([
      {
        id: first.id,
        distanceMeters: 120,
        receivedAt: first.receivedAt,
        status: 'dispatched',
        categoryCode: '0101',
        title: first.description,
      },
    ]);
  });

  it('lists in GET /orders/{id} the later report for the centre, and nothing for the unit', async () => {
    // Act
    const forCentre = await get(first.id);
    const forUnit = await get(first.id, unit);

    // Assess
    expect(forCentre.possibleDuplicates).toEqual([
      expect.objectContaining({ id: second.id, distanceMeters: 120, categoryCode: '0101' }),
    ]);
    expect(forUnit.id).toBe(first.id);
    expect(forUnit).not.toHaveProperty('possibleDuplicates');
  });

  it('finds both reports for an operator looking up the place before recording a third (to record a repeat)', async () => {
    // Act
    const near = north(60);
    const lookup = await stack.api(
      'GET',
      `/possible-duplicates?categoryCode=0101&lat=${near.lat}&long=${near.long}`,
      { token: operator },
    );
    const badCategory = await stack.api('GET', `/possible-duplicates?categoryCode=9999&lat=39.9&long=116.4`, {
      token: operator,
    });
    const badPlace = await stack.api('GET', `/possible-duplicates?categoryCode=0101&lat=91&long=116.4`, {
      token: operator,
    });
    const forUnit = await stack.api('GET', `/possible-duplicates?categoryCode=0101&lat=39.9&long=116.4`, {
      token: unit,
    });

    // Assess: the nearest first (60 m from each: ties go to the newest)
    expect(lookup.status).toBe(200);
    expect(lookup.body.items.map((i: { id: string }) => i.id).sort()).toEqual([first.id, second.id].sort());
    expect(lookup.body.items.map((i: { distanceMeters: number }) => i.distanceMeters)).toEqual([60, 60]);
    expect(badCategory.status).toBe(422);
    expect(badCategory.body.error.code).toBe('UNKNOWN_CATEGORY');
    expect(badPlace.status).toBe(400);
    expect(badPlace.body.error.code).toBe('VALIDATION_FAILED');
    expect(forUnit.status).toBe(403);
  });

  it('lists no open order received more than 30 days before', async () => {
    // Prepare: 31 days pass; the first two reports are still open
    await s.clock({ advance: 'P31D' });
    expect((await get(first.id)).status).not.toBe('closed');
    expect((await get(second.id)).status).not.toBe('closed');

    // Act: a third report, 10 m from the first
    const third = await post(reportAt(east(10)));

    // Assess: the first two are out of the window; the first now lists only the third
    expect(third.possibleDuplicates).toEqual([]);
    expect((await get(first.id)).possibleDuplicates).toEqual([
      expect.objectContaining({ id: third.id, distanceMeters: 10 }),
    ]);
  });
});
