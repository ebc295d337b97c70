import { describe, expect, it } from 'vitest';
import {
  lentzNonZero,
  normalCdf,
  normalQuantile,
  normalSurvival,
  poissonUpperTail,
  studentTQuantile,
  studentTSurvival,
  twoSidedP,
} from '#domain/mining/distributions.ts';

describe('normalQuantile and normalCdf', () => {
  it('returns the table values: z 0.975 = 1.959964, z 0.999 = 3.090232, and back', () => {
    // Act / Assess
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232, 6);
    expect(normalQuantile(0.1)).toBeCloseTo(-1.281552, 6);
    expect(normalCdf(normalQuantile(0.9))).toBeCloseTo(0.9, 7);
    expect(twoSidedP(2.575829)).toBeCloseTo(0.01, 6);
  });

  it('rejects p outside (0, 1)', () => {
    // Act / Assess
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('studentTQuantile and studentTSurvival', () => {
  it("returns Student's table values: t 0.975 with 10 dof = 2.228139, t 0.995 with 5 dof = 4.032143", () => {
    // Act / Assess
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228139, 5);
    expect(studentTQuantile(0.995, 5)).toBeCloseTo(4.032143, 5);
    expect(studentTQuantile(0.025, 1)).toBeCloseTo(-12.706205, 4);
    expect(studentTSurvival(2.228139, 10)).toBeCloseTo(0.025, 6);
  });
});

describe('poissonUpperTail', () => {
  it('returns P(X ≥ k) summed term by term from the Poisson probabilities', () => {
    // Prepare: 1 − Σ_{i<k} e^−λ λ^i / i!
    const direct = (k: number, mean: number) => {
      let p = Math.exp(-mean);
      let below = 0;
      for (let i = 0; i < k; i++) {
        below += p;
        p *= mean / (i + 1);
      }
      return 1 - below;
    };

    // Act / Assess
    for (const [k, mean] of [
      [1, 0.05],
      [3, 1],
      [10, 3],
      [60, 38],
      [200, 180],
    ] as const)
      expect(poissonUpperTail(k, mean)).toBeCloseTo(direct(k, mean), 10);
    expect(poissonUpperTail(26, 8.18)).toBeCloseTo(5.3389e-7, 10);
    expect(poissonUpperTail(0, 5)).toBe(1);
  });
});

/** |actual / expected − 1|: the relative error, for values that span many orders of magnitude. */
const relativeError = (actual: number, expected: number) => Math.abs(actual / expected - 1);

describe('normalCdf, normalSurvival and twoSidedP', () => {
  it('returns the table values of Φ on both sides of 0', () => {
    // Act / Assess: Φ(1), Φ(2), Φ(0.5), and Φ(−x) = 1 − Φ(x)
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 7);
    expect(normalCdf(2)).toBeCloseTo(0.9772498680518208, 7);
    expect(normalCdf(-0.5)).toBeCloseTo(0.3085375387259869, 7);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
  });

  it('returns the far upper tail to within the approximation (relative error below 1.2e-7)', () => {
    // Act / Assess: Q(3), Q(5), Q(8), where 1 − Φ would have lost every digit at 8
    expect(relativeError(normalSurvival(3), 0.0013498980316301035)).toBeLessThan(1.2e-7);
    expect(relativeError(normalSurvival(5), 2.866515718791939e-7)).toBeLessThan(1.2e-7);
    expect(relativeError(normalSurvival(8), 6.220960574271784e-16)).toBeLessThan(1.2e-7);
    expect(relativeError(normalCdf(-8), 6.220960574271784e-16)).toBeLessThan(1.2e-7);
    expect(normalSurvival(-1)).toBeCloseTo(0.8413447460685429, 7);
  });

  it('returns the same two-sided p for ±z, and never more than 1', () => {
    // Act / Assess: 2 Q(1.96)
    expect(twoSidedP(1.96)).toBeCloseTo(0.04999579029644087, 7);
    expect(twoSidedP(-1.96)).toBe(twoSidedP(1.96));
    expect(twoSidedP(0)).toBe(1);
    expect(relativeError(twoSidedP(-5), 2 * 2.866515718791939e-7)).toBeLessThan(1.2e-7);
  });
});

describe('normalQuantile in its three regions', () => {
  it('returns the table values of the lower tail (p < 0.02425), the centre and the upper tail', () => {
    // Act / Assess: z(1e-6), z(0.02), z(0.3), z(0.5), z(0.7), z(0.98), z(1 − 1e-6)
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424308822899, 6);
    expect(normalQuantile(0.02)).toBeCloseTo(-2.053748910631823, 6);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080407, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 6);
    expect(normalQuantile(0.7)).toBeCloseTo(0.5244005127080407, 6);
    expect(normalQuantile(0.98)).toBeCloseTo(2.053748910631823, 6);
    expect(normalQuantile(1 - 1e-6)).toBeCloseTo(4.753424308822899, 6);
  });

  it('returns the inverse of normalCdf, next to the borders of the regions', () => {
    // Act / Assess
    for (const p of [1e-10, 0.0242, 0.0243, 0.2, 0.6, 0.9757, 0.9758, 1 - 1e-10])
      expect(relativeError(normalCdf(normalQuantile(p)), p)).toBeLessThan(1e-9);
  });

  it('rejects p of 0 or less, and NaN, naming p', () => {
    // Act / Assess
    expect(() => normalQuantile(0)).toThrow('normalQuantile needs 0 < p < 1, got 0');
    expect(() => normalQuantile(-0.5)).toThrow(RangeError);
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
  });
});

describe("Student's t against its closed forms", () => {
  // ν = 1 (Cauchy): P(T > t) = 1/2 − atan(t)/π, quantile tan(π(p − 1/2)).
  const cauchySurvival = (t: number) => 0.5 - Math.atan(t) / Math.PI;
  // ν = 2: P(T > t) = 1/2 − t / (2 √(t² + 2)), quantile (2p − 1) / √(2p(1 − p)).
  const twoDofSurvival = (t: number) => 0.5 - t / (2 * Math.sqrt(t * t + 2));
  // ν = 4: P(T ≤ t) = 1/2 + (3/8) s (1 − t² / (12 (1 + t²/4))), s = t / √(1 + t²/4).
  const fourDofSurvival = (t: number) => {
    const w = 1 + (t * t) / 4;
    return 0.5 - (3 / 8) * (t / Math.sqrt(w)) * (1 - (t * t) / (12 * w));
  };

  it('returns P(T > t) for 1, 2 and 4 degrees of freedom, near the centre and in the tails', () => {
    // Act / Assess
    for (const t of [-30, -3, -1, -0.5, 0.01, 0.3, 0.5, 1, 3, 30, 1000]) {
      expect(studentTSurvival(t, 1)).toBeCloseTo(cauchySurvival(t), 10);
      expect(studentTSurvival(t, 2)).toBeCloseTo(twoDofSurvival(t), 10);
      expect(studentTSurvival(t, 4)).toBeCloseTo(fourDofSurvival(t), 10);
    }
  });

  it('returns the far tail to nine significant digits, where 1 − P(T ≤ t) would have lost them', () => {
    // Act / Assess: atan(1/t)/π for ν = 1; 1 / (√(t² + 2) (√(t² + 2) + t)) for ν = 2 (the forms without cancellation)
    for (const t of [1e3, 1e5, 1e8]) {
      const root = Math.sqrt(t * t + 2);
      expect(relativeError(studentTSurvival(t, 1), Math.atan(1 / t) / Math.PI)).toBeLessThan(1e-9);
      expect(relativeError(studentTSurvival(t, 2), 1 / (root * (root + t)))).toBeLessThan(1e-9);
    }
  });

  it('returns 1/2 at 0, and 0 and 1 at the infinities', () => {
    // Act / Assess
    expect(studentTSurvival(0, 7)).toBe(0.5);
    expect(studentTSurvival(Number.POSITIVE_INFINITY, 7)).toBe(0);
    expect(studentTSurvival(Number.NEGATIVE_INFINITY, 7)).toBe(1);
  });

  it('returns the quantiles of 1 and 2 degrees of freedom, far in the tail too', () => {
    // Act / Assess
    for (const p of [0.001, 0.1, 0.3, 0.6, 0.9, 0.995]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 8);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 8);
    }
  });

  it('returns exactly 0 for the median, and the normal quantile for very many degrees of freedom', () => {
    // Act / Assess
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 5);
  });

  it('returns a quantile too far out for 1e-12 steps (1e-20 with 1 dof: −1/(π 1e-20)) after at most 200 halvings', () => {
    // Act / Assess: the doubles near 3e19 are 4 096 apart, so only the count of halvings ends the search
    expect(relativeError(studentTQuantile(1e-20, 1), -1 / (Math.PI * 1e-20))).toBeLessThan(1e-9);
  });

  it('rejects p outside (0, 1), naming p', () => {
    // Act / Assess
    expect(() => studentTQuantile(1, 5)).toThrow('studentTQuantile needs 0 < p < 1, got 1');
    expect(() => studentTQuantile(0, 5)).toThrow('studentTQuantile needs 0 < p < 1, got 0');
    expect(() => studentTQuantile(-0.5, 5)).toThrow('studentTQuantile needs 0 < p < 1, got -0.5');
    expect(() => studentTQuantile(Number.NaN, 5)).toThrow(RangeError);
  });
});

describe('poissonUpperTail beyond the sum of its terms', () => {
  /** 1 − Σ_{i<k} e^−λ λ^i / i!, as above. */
  const direct = (k: number, mean: number) => {
    let p = Math.exp(-mean);
    let below = 0;
    for (let i = 0; i < k; i++) {
      below += p;
      p *= mean / (i + 1);
    }
    return 1 - below;
  };

  it('returns P(X ≥ k) for a mean above k + 1 (the continued fraction), up to very likely counts', () => {
    // Act / Assess: 1 − e^−5 for k = 1, 1 − 61 e^−10 for k = 3, ...
    expect(poissonUpperTail(1, 5)).toBeCloseTo(1 - Math.exp(-5), 12);
    expect(poissonUpperTail(3, 10)).toBeCloseTo(1 - 61 * Math.exp(-10), 12);
    for (const [k, mean] of [
      [5, 6],
      [2, 3.5],
      [20, 40],
      [100, 150],
      [150, 200],
      [40, 41],
    ] as const)
      expect(poissonUpperTail(k, mean)).toBeCloseTo(direct(k, mean), 12);
  });

  it('returns the regularised gamma function for a fractional k below 1/2 (the reflection of ln Γ)', () => {
    // Prepare: P(1/4, x) = 4 / Γ(1/4) ∫₀^{x^¼} e^(−u⁴) du (u⁴ = t), by Simpson's rule; Γ(1/4) = 3.625609908221908
    const regularisedGammaQuarter = (x: number) => {
      const n = 2000;
      const top = x ** 0.25;
      const h = top / n;
      let sum = 0;
      for (let i = 0; i <= n; i++)
        sum += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * Math.exp(-((i * h) ** 4));
      return (4 / 3.625609908221908) * (h / 3) * sum;
    };

    // Act / Assess: x = 0.001 and 1 are summed as a series, x = 3 by the continued fraction
    expect(poissonUpperTail(0.25, 0.001)).toBeCloseTo(regularisedGammaQuarter(0.001), 10);
    expect(poissonUpperTail(0.25, 1)).toBeCloseTo(regularisedGammaQuarter(1), 10);
    expect(poissonUpperTail(0.25, 3)).toBeCloseTo(regularisedGammaQuarter(3), 10);
  });

  it('returns 1 − k E₁(mean) as k vanishes (ln Γ near 0 by the reflection formula)', () => {
    // Prepare: Γ(k, x) → E₁(x) and Γ(k) → 1/k as k → 0, so P(k, x) = 1 − k E₁(x) + O(k²); E₁(1) = 0.21938393439552026
    const k = 1e-10;

    // Act / Assess
    expect(poissonUpperTail(k, 1)).toBeCloseTo(1 - k * 0.21938393439552026, 13);
  });

  it('returns 1 for a small k against a huge mean, where the series would overflow', () => {
    // Act / Assess: P(X ≥ 10) for a mean of 2 000 differs from 1 by about e^−1 900
    expect(poissonUpperTail(10, 2000)).toBe(1);
  });

  it('returns 1 for k of 0 or less, and 0 for a positive k when the mean is 0', () => {
    // Act / Assess
    expect(poissonUpperTail(-2, 3)).toBe(1);
    expect(poissonUpperTail(0, 0)).toBe(1);
    expect(poissonUpperTail(3, 0)).toBe(0);
    expect(poissonUpperTail(1, -1)).toBe(0);
  });

  it('returns P(X ≥ k) for counts in the hundred thousands and millions, near their mean', () => {
    // Prepare: Σ_{i≥k} π_i / Σ_i π_i with every π_i relative to π_k (π_{i+1} = π_i · mean / (i + 1)),
    // summed over k ± 40 standard deviations: no e^−mean, no factorial, nothing that underflows
    const byRatios = (k: number, mean: number) => {
      const width = 40 * Math.sqrt(mean);
      let upper = 0;
      for (let i = k, p = 1; i < k + width; i++) {
        upper += p; // π_i / π_k
        p *= mean / (i + 1);
      }
      let lower = 0;
      for (let i = k - 1, p = 1; i > k - width; i--) {
        p *= (i + 1) / mean;
        lower += p; // π_i / π_k
      }
      return upper / (upper + lower);
    };

    // Act / Assess: the series (mean below k + 1) and the continued fraction (above); the log of the
    // front factor, of the order of 1e8 at 1e7, costs about 1e-8 of relative accuracy
    expect(relativeError(poissonUpperTail(100_000, 99_800), byRatios(100_000, 99_800))).toBeLessThan(1e-9);
    expect(relativeError(poissonUpperTail(1e7, 1e7 - 3_162), byRatios(1e7, 1e7 - 3_162))).toBeLessThan(1e-7);
    expect(relativeError(poissonUpperTail(1e7, 1e7 + 1), byRatios(1e7, 1e7 + 1))).toBeLessThan(1e-7);
  });

  it('returns 0 for a mean of 0 however little above 0 k is, where 1/k overflows', () => {
    // Act / Assess: the smallest positive double, whose reciprocal is +∞
    expect(poissonUpperTail(Number.MIN_VALUE, 0)).toBe(0);
  });
});

describe('lentzNonZero', () => {
  it('returns 1e-300 for a denominator below 1e-300 in magnitude, whatever its sign', () => {
    // Act / Assess
    expect(lentzNonZero(0)).toBe(1e-300);
    expect(lentzNonZero(-0)).toBe(1e-300);
    expect(lentzNonZero(3e-301)).toBe(1e-300);
    expect(lentzNonZero(-9.99e-301)).toBe(1e-300);
  });

  it('returns a denominator of 1e-300 or more in magnitude unchanged, its sign too', () => {
    // Act / Assess: −1e-300 sits at the limit and keeps its sign
    expect(lentzNonZero(-1e-300)).toBe(-1e-300);
    expect(lentzNonZero(1e-300)).toBe(1e-300);
    expect(lentzNonZero(-2e-300)).toBe(-2e-300);
    expect(lentzNonZero(0.25)).toBe(0.25);
    expect(lentzNonZero(-7)).toBe(-7);
  });
});
