import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OrderSummary } from '#domain/order-view.ts';

/** GET requests over the day index: a bounded read whatever the filter (application/open311.ts). */
const listOrders = vi.fn();
vi.mock('#shared/stores/order-store.ts', () => ({ listOrders, readOrdersById: vi.fn() }));

let idsInRange: typeof import('../../../functions/application/open311.ts')['idsInRange'];
let MAX: number;

beforeAll(async () => {
  process.env.TABLE_NAME = 'hotline-test';
  process.env.STATE_MACHINE_ARN = 'arn:aws:states:cn-north-1:123456789012:stateMachine:x';
  ({ idsInRange, OPEN311_MAX_EXAMINED: MAX } = await import('../../../functions/application/open311.ts'));
});

let served = 0;
const summary = (n: number, categoryCode: string, status: OrderSummary['status']) =>
  ({ id: `WO${String(n).padStart(26, '0')}`, categoryCode, status }) as unknown as OrderSummary;

beforeEach(() => {
  served = 0;
  listOrders.mockReset();
  // An endless day index of one service: a page of 100 with a cursor every time.
  listOrders.mockImplementation(async () => {
    const items = Array.from({ length: 100 }, (_, i) => summary(served + i, '010101', 'received'));
    served += 100;
    return { items, cursor: 'more' };
  });
});

const range = { kind: 'range' as const, fromMs: 0, toMs: 90 * 86_400_000 };

describe('idsInRange', () => {
  it('stops at 1000 matches', async () => {
    expect(await idsInRange(range)).toHaveLength(1000);
    expect(served).toBe(1000);
  });

  it('looks at no more than the newest 10 000 orders when few match, and answers what matched', async () => {
    expect(await idsInRange({ ...range, serviceCodes: new Set(['999999']) })).toEqual([]);
    expect(served).toBe(MAX);
    expect(MAX).toBe(10_000);
  });

  it('filters by status as open or closed', async () => {
    listOrders.mockReset();
    listOrders.mockResolvedValueOnce({
      items: [
        summary(1, '010101', 'closed'),
        summary(2, '010101', 'accepted'),
        summary(3, '010201', 'received'),
      ],
    });
    expect(
      await idsInRange({ ...range, statuses: new Set(['open']), serviceCodes: new Set(['010101']) }),
    ).toEqual([`WO${'2'.padStart(26, '0')}`]);
  });
});
