import { describe, expect, it } from 'vitest';
import {
  normalCdf,
  normalQuantile,
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
