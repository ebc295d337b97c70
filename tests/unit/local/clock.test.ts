import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SCALE, LocalClock, parseIsoDuration } from '../../../local/clock.ts';

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
});
