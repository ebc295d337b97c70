/**
 * The local stack's clock: real time, scaled time (e.g. a day in a minute for demos) or manual time
 * (tests and people move it with POST /_local/clock). Handlers read it through functions/shared/clock.ts;
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
  return Math.round((((((w ?? 0) * 7 + (d ?? 0)) * 24 + (h ?? 0)) * 60 + (m ?? 0)) * 60 + (s ?? 0)) * 1000);
};
