/**
 * Seeded randomness for the mining tests: the same seed gives the same series on every machine.
 */

/** Mulberry32: a small, well-mixed 32-bit generator; returns uniforms in [0, 1). */
export const seededRandom = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/** A standard normal draw (Box-Muller). */
export const normalDraw = (random: () => number): number =>
  Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const logFactorial = (k: number): number => {
  if (k < 20) {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  }
  // Stirling's series, exact to double precision beyond 20.
  return (k + 0.5) * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * k) - 1 / (360 * k ** 3);
};

/** A Poisson draw: Knuth's product method for small means, Hörmann's PTRS (1993) for large ones. */
export const poissonDraw = (random: () => number, mean: number): number => {
  if (mean <= 0) return 0;
  if (mean < 10) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = random();
    while (p > limit) {
      k++;
      p *= random();
    }
    return k;
  }
  const b = 0.931 + 2.53 * Math.sqrt(mean);
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = random() - 0.5;
    const v = random();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
      -mean + k * Math.log(mean) - logFactorial(k)
    )
      return k;
  }
};

export interface MonthlySeriesSpec {
  readonly seed: number;
  readonly months: number;
  /** Mean orders per month at the start. */
  readonly level: number;
  /** Growth per year (0.15 = +15 %). */
  readonly growthPerYear: number;
  /** Multiplicative seasonal factors, January … December (mean about 1). */
  readonly profile: readonly number[];
  /** Month-to-month extra variation (sd of a log-normal factor), beyond Poisson noise. */
  readonly noise: number;
}

/** A monthly count series: level × growth × season × log-normal noise, then a Poisson draw. */
export const monthlyCounts = (spec: MonthlySeriesSpec, firstCalendarMonth = 0): number[] => {
  const random = seededRandom(spec.seed);
  return Array.from({ length: spec.months }, (_, t) => {
    const season = spec.profile[(firstCalendarMonth + t) % 12] ?? 1;
    const mean =
      spec.level * (1 + spec.growthPerYear) ** (t / 12) * season * Math.exp(spec.noise * normalDraw(random));
    return poissonDraw(random, mean);
  });
};

/** Seasonal profiles like the hotline's: heating (Nov-Mar), drainage (Jul-Aug), summer noise. */
export const profiles = {
  heating: [2.6, 1.8, 1.2, 0.4, 0.3, 0.3, 0.3, 0.3, 0.4, 0.7, 1.6, 3.1],
  drainage: [0.4, 0.4, 0.5, 0.6, 0.8, 1.0, 2.9, 2.6, 1.0, 0.6, 0.5, 0.4],
  summerNoise: [0.7, 0.7, 0.8, 0.9, 1.1, 1.3, 1.5, 1.5, 1.2, 1.0, 0.8, 0.7],
} as const;
