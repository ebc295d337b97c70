import * as z from 'zod';

/**
 * The local stack's clock: real time, scaled time (e.g. a day in a minute for demos) or manual time
 * (tests and people move it with POST /_local/clock). Handlers read it through functions/shared/platform/clock.ts;
 * the interpreter worker follows it on virtual timers.
 */
export const clockModes = ['real', 'scaled', 'manual'] as const;
export type ClockMode = (typeof clockModes)[number];

/** Virtual seconds per real second of a scaled clock when none is given: a day a minute. */
export const DEFAULT_SCALE = 1440;

export interface ClockState {
  readonly mode: ClockMode;
  readonly scale: number;
  readonly now: number;
}

export class LocalClock {
  private anchorReal = Date.now();
  private anchorVirtual: number;
  private _mode: ClockMode;
  private _scale: number;
  /** The scale a switch to `scaled` without one uses: the last one given, DEFAULT_SCALE at first. */
  private scaledScale: number;

  constructor(state: { mode: ClockMode; scale?: number; now?: number }) {
    this._mode = state.mode;
    this.scaledScale = state.scale ?? DEFAULT_SCALE;
    this._scale = state.mode === 'scaled' ? this.scaledScale : 1;
    this.anchorVirtual = state.now ?? Date.now();
  }

  get mode(): ClockMode {
    return this._mode;
  }

  get scale(): number {
    return this._mode === 'manual' ? 0 : this._scale;
  }

  now(): number {
    if (this._mode === 'manual') return this.anchorVirtual;
    return Math.floor(this.anchorVirtual + (Date.now() - this.anchorReal) * this._scale);
  }

  /** Moves time forward to `ms` (never back: timers already fired cannot un-fire). */
  moveTo(ms: number): void {
    // A clock at an instant that is not one (Infinity, NaN) would stay broken until restart.
    if (!Number.isFinite(ms)) throw new RangeError(`Not an instant: ${ms}`);
    if (ms <= this.now()) return;
    this.anchorVirtual = ms;
    this.anchorReal = Date.now();
  }

  /** Switches mode (and scale) from the current instant on. */
  setMode(mode: ClockMode, scale?: number): void {
    const now = this.now();
    this._mode = mode;
    if (scale !== undefined) this.scaledScale = scale;
    this._scale = mode === 'scaled' ? this.scaledScale : 1;
    this.anchorVirtual = now;
    this.anchorReal = Date.now();
  }

  state(): ClockState {
    return { mode: this._mode, scale: this.scale, now: this.now() };
  }
}

/** ISO 8601 durations in days, weeks and time (`P2D`, `PT25H`, `P1W`, `P1DT2H30M`); months and years are ambiguous and refused. */
export const parseIsoDuration = (text: string): number | undefined => {
  const match =
    /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      text,
    );
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [, w, d, h, m, s] = match.map((v) => (v === undefined ? 0 : Number(v)));
  const ms = Math.round(
    (((((w ?? 0) * 7 + (d ?? 0)) * 24 + (h ?? 0)) * 60 + (m ?? 0)) * 60 + (s ?? 0)) * 1000,
  );
  // `P` followed by 400 nines is Infinity: not a duration.
  return Number.isSafeInteger(ms) ? ms : undefined;
};

const DAY_MS = 24 * 3_600_000;
/** The most one request may move the clock: every timer due on the way runs, so a year and a bit. */
export const MAX_CLOCK_MOVE_MS = 400 * DAY_MS;
/** The instants the clock may show: the years 2000 to 2100 (the calendars and limits in data/ are sane there). */
export const CLOCK_RANGE = { from: Date.UTC(2000, 0, 1), to: Date.UTC(2101, 0, 1) - 1 } as const;

/** What POST /_local/clock asks: exactly one of a move (`advance`, `set`) or a mode switch. */
const clockRequestSchema = z.union([
  z.strictObject({ advance: z.string().max(1000) }),
  z.strictObject({ set: z.string().max(1000) }),
  z.strictObject({
    mode: z.enum(clockModes),
    scale: z.number().positive().max(1_000_000).optional(),
  }),
]);

export type ClockRequest =
  | { readonly ok: true; readonly kind: 'mode'; readonly mode: ClockMode; readonly scale?: number }
  | { readonly ok: true; readonly kind: 'move'; readonly target: number };
export interface ClockRefusal {
  readonly ok: false;
  readonly status: 400 | 409;
  readonly code: string;
  readonly message: string;
}

const refuse = (status: 400 | 409, code: string, message: string): ClockRefusal => ({
  ok: false,
  status,
  code,
  message,
});

/**
 * Checks a POST /_local/clock body against the clock as it is at `nowMs`; a refusal says why and the
 * caller changes nothing. A move goes forward only (a fired timer cannot un-fire), at most
 * MAX_CLOCK_MOVE_MS at once, and stays within CLOCK_RANGE.
 */
export const clockRequestOf = (body: unknown, nowMs: number): ClockRequest | ClockRefusal => {
  const parsed = clockRequestSchema.safeParse(body);
  if (!parsed.success) {
    return refuse(
      400,
      'VALIDATION_FAILED',
      'Send an object with exactly one of: { "advance": "PT25H" }, { "set": "<ISO time>" }, ' +
        '{ "mode": "manual" | "real" | "scaled", "scale"?: n } (scale: virtual seconds per real second, at most 1000000).',
    );
  }
  const request = parsed.data;
  if ('mode' in request) {
    return { ok: true, kind: 'mode', mode: request.mode, ...(request.scale ? { scale: request.scale } : {}) };
  }
  let target: number;
  if ('advance' in request) {
    const ms = parseIsoDuration(request.advance);
    if (ms === undefined)
      return refuse(
        400,
        'INVALID_DURATION',
        'advance is an ISO 8601 duration in weeks, days, hours, minutes, seconds: "PT25H", "P3D", "P1DT2H".',
      );
    target = nowMs + ms;
  } else {
    target = z.iso.datetime({ offset: true }).safeParse(request.set).success
      ? Date.parse(request.set)
      : Number.NaN;
    if (Number.isNaN(target))
      return refuse(400, 'INVALID_TIME', 'set is an ISO 8601 date-time, e.g. "2026-12-01T09:00:00+08:00".');
    if (target < nowMs)
      return refuse(
        409,
        'CLOCK_BACKWARDS',
        'Time only moves forward: waits and timeouts that already fired cannot be undone.',
      );
  }
  if (target - nowMs > MAX_CLOCK_MOVE_MS)
    return refuse(
      400,
      'CLOCK_MOVE_TOO_LARGE',
      `One request moves the clock at most ${MAX_CLOCK_MOVE_MS / DAY_MS} days; move it in steps.`,
    );
  if (target < CLOCK_RANGE.from || target > CLOCK_RANGE.to)
    return refuse(400, 'CLOCK_OUT_OF_RANGE', 'The local clock stays within the years 2000 to 2100.');
  return { ok: true, kind: 'move', target };
};
