import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CLOCK_RANGE,
  clockRequestOf,
  DEFAULT_SCALE,
  LocalClock,
  MAX_CLOCK_MOVE_MS,
  parseIsoDuration,
} from '../../../local/clock.ts';

const REAL_START = Date.parse('2026-06-01T00:00:00.000Z');
const VIRTUAL_START = Date.parse('2026-12-01T02:00:00.000Z');
const SECOND = 1000;
const HOUR = 3_600_000;

/** Moves the (fake) wall clock forward by `ms`. */
const wallClockAdvances = (ms: number): void => {
  vi.setSystemTime(Date.now() + ms);
};

describe('LocalClock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: REAL_START, toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('manual mode', () => {
    it('returns the same instant however much wall-clock time passes', () => {
      // Prepare
      const clock = new LocalClock({ mode: 'manual', now: VIRTUAL_START });

      // Act
      wallClockAdvances(10 * HOUR);

      // Assess
      expect(clock.now()).toBe(VIRTUAL_START);
      expect(clock.state()).toEqual({ mode: 'manual', scale: 0, now: VIRTUAL_START });
    });

    it('returns the instant it was moved to', () => {
      // Prepare
      const clock = new LocalClock({ mode: 'manual', now: VIRTUAL_START });

      // Act
      clock.moveTo(VIRTUAL_START + 25 * HOUR);

      // Assess
      expect(clock.now()).toBe(VIRTUAL_START + 25 * HOUR);
    });

    it('returns the wall-clock time as the start when none is given', () => {
      // Act
      const clock = new LocalClock({ mode: 'manual' });

      // Assess
      expect(clock.now()).toBe(REAL_START);
    });
  });

  describe('real mode', () => {
    it('returns the start plus exactly the wall-clock time that passed', () => {
      // Prepare
      const clock = new LocalClock({ mode: 'real', now: VIRTUAL_START });

      // Act
      wallClockAdvances(5 * SECOND);

      // Assess
      expect(clock.now()).toBe(VIRTUAL_START + 5 * SECOND);
      expect(clock.scale).toBe(1);
    });

    it('returns scale 1 even when a scale is passed', () => {
      // Act
      const clock = new LocalClock({ mode: 'real', scale: 3600 });

      // Assess
      expect(clock.scale).toBe(1);
    });
  });

  describe('scaled mode', () => {
    it('returns a day a minute (1440 virtual seconds per real second) by default', () => {
      // Prepare
      const clock = new LocalClock({ mode: 'scaled', now: VIRTUAL_START });

      // Act
      wallClockAdvances(1 * SECOND);

      // Assess
      expect(clock.scale).toBe(DEFAULT_SCALE);
      expect(DEFAULT_SCALE).toBe(1440);
      expect(clock.now()).toBe(VIRTUAL_START + 1440 * SECOND);
    });

    it('returns a day in 24 real seconds at scale 3600', () => {
      // Prepare
      const clock = new LocalClock({ mode: 'scaled', scale: 3600, now: VIRTUAL_START });

      // Act
      wallClockAdvances(24 * SECOND);

      // Assess
      expect(clock.now()).toBe(VIRTUAL_START + 24 * HOUR);
    });

    it('returns a time that never decreases while the wall clock runs', () => {
      // Prepare
      const clock = new LocalClock({ mode: 'scaled', scale: 7, now: VIRTUAL_START });
      const seen: number[] = [];

      // Act
      for (let i = 0; i < 20; i++) {
        wallClockAdvances(37);
        seen.push(clock.now());
      }

      // Assess
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen.at(-1)).toBe(VIRTUAL_START + 20 * 37 * 7);
    });

    it('returns time running at the scale from the instant it was moved to', () => {
      // Prepare
      const clock = new LocalClock({ mode: 'scaled', scale: 60, now: VIRTUAL_START });

      // Act
      clock.moveTo(VIRTUAL_START + HOUR);
      wallClockAdvances(2 * SECOND);

      // Assess
      expect(clock.now()).toBe(VIRTUAL_START + HOUR + 120 * SECOND);
    });
  });

  describe('moveTo', () => {
    it('returns no change when asked to go back, in manual mode', () => {
      // Prepare
      const clock = new LocalClock({ mode: 'manual', now: VIRTUAL_START });

      // Act
      clock.moveTo(VIRTUAL_START - HOUR);

      // Assess
      expect(clock.now()).toBe(VIRTUAL_START);
    });

    it('returns no change when asked to go back, in real and scaled modes', () => {
      // Prepare
      const real = new LocalClock({ mode: 'real', now: VIRTUAL_START });
      const scaled = new LocalClock({ mode: 'scaled', scale: 60, now: VIRTUAL_START });
      wallClockAdvances(10 * SECOND);

      // Act
      real.moveTo(VIRTUAL_START);
      scaled.moveTo(VIRTUAL_START + SECOND);

      // Assess
      expect(real.now()).toBe(VIRTUAL_START + 10 * SECOND);
      expect(scaled.now()).toBe(VIRTUAL_START + 600 * SECOND);
    });
  });

  describe('setMode', () => {
    it('returns the same instant across the switch, then runs in the new mode', () => {
      // Prepare
      const clock = new LocalClock({ mode: 'manual', now: VIRTUAL_START });

      // Act
      clock.setMode('scaled', 120);
      const atSwitch = clock.now();
      wallClockAdvances(SECOND);

      // Assess
      expect(atSwitch).toBe(VIRTUAL_START);
      expect(clock.now()).toBe(VIRTUAL_START + 120 * SECOND);
      expect(clock.state()).toEqual({ mode: 'scaled', scale: 120, now: VIRTUAL_START + 120 * SECOND });
    });

    it('returns a frozen clock after switching a running clock to manual', () => {
      // Prepare
      const clock = new LocalClock({ mode: 'scaled', scale: 60, now: VIRTUAL_START });
      wallClockAdvances(SECOND);

      // Act
      clock.setMode('manual');
      wallClockAdvances(HOUR);

      // Assess
      expect(clock.now()).toBe(VIRTUAL_START + 60 * SECOND);
      expect(clock.scale).toBe(0);
    });

    it('returns the scale of a scaled clock kept when switched to scaled again without a scale', () => {
      // Prepare
      const clock = new LocalClock({ mode: 'scaled', scale: 3600, now: VIRTUAL_START });

      // Act
      clock.setMode('scaled');

      // Assess
      expect(clock.scale).toBe(3600);
    });

    it('returns the default scale when a real clock is switched to scaled without a scale', () => {
      // Prepare: the local stack starts real; POST /_local/clock { "mode": "scaled" } calls setMode('scaled')
      const clock = new LocalClock({ mode: 'real', now: VIRTUAL_START });

      // Act
      clock.setMode('scaled');
      wallClockAdvances(SECOND);

      // Assess: like `new LocalClock({ mode: 'scaled' })`, not real time under another name
      expect(clock.scale).toBe(DEFAULT_SCALE);
      expect(clock.now()).toBe(VIRTUAL_START + DEFAULT_SCALE * SECOND);
    });
  });
});

describe('parseIsoDuration', () => {
  it('returns milliseconds for days, weeks, hours, minutes and seconds', () => {
    // Assess
    expect(parseIsoDuration('P2D')).toBe(2 * 24 * HOUR);
    expect(parseIsoDuration('P1W')).toBe(7 * 24 * HOUR);
    expect(parseIsoDuration('PT25H')).toBe(25 * HOUR);
    expect(parseIsoDuration('PT90M')).toBe(90 * 60 * SECOND);
    expect(parseIsoDuration('PT45S')).toBe(45 * SECOND);
  });

  it('returns the sum of combined parts', () => {
    // Assess
    expect(parseIsoDuration('P1DT2H30M')).toBe(24 * HOUR + 2 * HOUR + 30 * 60 * SECOND);
    expect(parseIsoDuration('P1DT1S')).toBe(24 * HOUR + SECOND);
  });

  it('returns fractions rounded to the millisecond', () => {
    // Assess
    expect(parseIsoDuration('PT0.5S')).toBe(500);
    expect(parseIsoDuration('PT1.5H')).toBe(1.5 * HOUR);
    expect(parseIsoDuration('P0.5D')).toBe(12 * HOUR);
  });

  it('returns 0 for a zero duration', () => {
    // Assess
    expect(parseIsoDuration('PT0S')).toBe(0);
  });

  it('rejects months and years, which have no fixed length', () => {
    // Assess
    for (const text of ['P1M', 'P1Y', 'P1Y2D', 'P2M3D', 'P1YT1H'])
      expect(parseIsoDuration(text), text).toBeUndefined();
  });

  it('rejects empty and malformed durations', () => {
    // Assess
    for (const text of [
      '',
      'P',
      'PT',
      'P1DT',
      '1D',
      'T1H',
      'p1d',
      'pt1h',
      'P-1D',
      'PT1H2H',
      'P1H',
      'PT1D',
      'P1D ',
      ' P1D',
      'P1,5D',
    ]) {
      expect(parseIsoDuration(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('rejects a duration too long to be a number of milliseconds', () => {
    // Assess: `P` and 400 nines is Infinity once parsed
    expect(parseIsoDuration(`P${'9'.repeat(400)}D`)).toBeUndefined();
    expect(parseIsoDuration(`PT${'9'.repeat(20)}S`)).toBeUndefined();
  });
});

describe('LocalClock.moveTo', () => {
  it('rejects an instant that is not one and keeps the time', () => {
    // Prepare
    const clock = new LocalClock({ mode: 'manual', now: VIRTUAL_START });

    // Act / Assess
    for (const ms of [Number.POSITIVE_INFINITY, Number.NaN])
      expect(() => clock.moveTo(ms)).toThrow(RangeError);
    expect(clock.now()).toBe(VIRTUAL_START);
  });
});

describe('clockRequestOf', () => {
  const DAY = 24 * HOUR;
  const refusal = (body: unknown, now = VIRTUAL_START) => {
    const request = clockRequestOf(body, now);
    return request.ok ? undefined : { status: request.status, code: request.code };
  };

  it('returns the target of an advance and of a set', () => {
    // Act / Assess
    expect(clockRequestOf({ advance: 'PT25H' }, VIRTUAL_START)).toEqual({
      ok: true,
      kind: 'move',
      target: VIRTUAL_START + 25 * HOUR,
    });
    expect(clockRequestOf({ set: '2026-12-09T09:00:00+08:00' }, VIRTUAL_START)).toEqual({
      ok: true,
      kind: 'move',
      target: Date.parse('2026-12-09T01:00:00Z'),
    });
  });

  it('returns a mode switch with its scale, or without one', () => {
    // Act / Assess
    expect(clockRequestOf({ mode: 'scaled', scale: 60 }, VIRTUAL_START)).toEqual({
      ok: true,
      kind: 'mode',
      mode: 'scaled',
      scale: 60,
    });
    expect(clockRequestOf({ mode: 'manual' }, VIRTUAL_START)).toEqual({
      ok: true,
      kind: 'mode',
      mode: 'manual',
    });
  });

  it('returns a move of exactly the largest step, and to the current instant', () => {
    // Act / Assess
    expect(clockRequestOf({ advance: 'P400D' }, VIRTUAL_START)).toMatchObject({
      ok: true,
      target: VIRTUAL_START + MAX_CLOCK_MOVE_MS,
    });
    expect(clockRequestOf({ set: new Date(VIRTUAL_START).toISOString() }, VIRTUAL_START)).toMatchObject({
      ok: true,
      target: VIRTUAL_START,
    });
  });

  it('rejects a body that is not an object with 400 VALIDATION_FAILED', () => {
    // Assess
    for (const body of [null, 1, 'x', true, [], [{ advance: 'PT1H' }], {}])
      expect(refusal(body), JSON.stringify(body)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('rejects two modes at once, unknown keys and ill-typed values with 400 VALIDATION_FAILED', () => {
    // Assess
    for (const body of [
      { advance: 'PT1H', set: '2026-12-09T09:00:00+08:00' },
      { advance: 'PT1H', mode: 'manual' },
      { advance: 'PT1H', scale: 60 },
      { advance: 5 },
      { set: 1796090400000 },
      { mode: 'fast' },
      { mode: 'scaled', scale: 0 },
      { mode: 'scaled', scale: -1 },
      { mode: 'scaled', scale: 2_000_000 },
      { mode: 'scaled', scale: '60' },
      { speed: 2 },
    ])
      expect(refusal(body), JSON.stringify(body)).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('rejects an advance of 400 nines or beyond 400 days with a 400 and a code', () => {
    // Assess
    expect(refusal({ advance: `P${'9'.repeat(400)}D` })).toEqual({ status: 400, code: 'INVALID_DURATION' });
    expect(refusal({ advance: 'P401D' })).toEqual({ status: 400, code: 'CLOCK_MOVE_TOO_LARGE' });
    expect(refusal({ advance: 'P400DT1S' })).toEqual({ status: 400, code: 'CLOCK_MOVE_TOO_LARGE' });
    expect(refusal({ advance: 'P1M' })).toEqual({ status: 400, code: 'INVALID_DURATION' });
  });

  it('rejects a set in the past with 409 CLOCK_BACKWARDS, and one too far ahead with 400', () => {
    // Assess
    expect(refusal({ set: new Date(VIRTUAL_START - 1).toISOString() })).toEqual({
      status: 409,
      code: 'CLOCK_BACKWARDS',
    });
    expect(refusal({ set: new Date(VIRTUAL_START + 401 * DAY).toISOString() })).toEqual({
      status: 400,
      code: 'CLOCK_MOVE_TOO_LARGE',
    });
  });

  it('rejects a set that is not an ISO date-time with 400 INVALID_TIME', () => {
    // Assess
    for (const set of ['tomorrow', '2026-12-09', '2026-13-09T09:00:00Z', '+275760-09-13T00:00:00Z', ''])
      expect(refusal({ set }), set).toEqual({ status: 400, code: 'INVALID_TIME' });
  });

  it('rejects a move out of the years 2000 to 2100 with 400 CLOCK_OUT_OF_RANGE', () => {
    // Prepare
    const endOf2100 = CLOCK_RANGE.to;

    // Assess
    expect(refusal({ advance: 'PT1S' }, endOf2100)).toEqual({ status: 400, code: 'CLOCK_OUT_OF_RANGE' });
    expect(refusal({ set: '2101-01-01T00:00:00Z' }, endOf2100 - DAY)).toEqual({
      status: 400,
      code: 'CLOCK_OUT_OF_RANGE',
    });
    expect(refusal({ set: '1999-12-31T23:00:00Z' }, Date.parse('1999-12-31T00:00:00Z'))).toEqual({
      status: 400,
      code: 'CLOCK_OUT_OF_RANGE',
    });
    expect(clockRequestOf({ advance: 'PT1S' }, endOf2100 - 1000)).toMatchObject({ ok: true });
  });
});
