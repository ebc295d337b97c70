/**
 * The few distribution functions the mining needs, in plain TypeScript: the normal and Student t
 * distributions (forecast intervals, EARS thresholds from their published alphas, Gi* p-values).
 * Accuracy is far beyond what the decisions need (≈1e-7 relative for the normal tail).
 */

/** Complementary error function (Numerical Recipes `erfcc`, fractional error < 1.2e-7 everywhere). */
const erfc = (x: number): number => {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
};

/** P(Z ≤ x) for a standard normal Z. */
export const normalCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

/** P(Z > x), accurate in the far upper tail (where 1 − normalCdf would lose digits). */
export const normalSurvival = (x: number): number => 0.5 * erfc(x / Math.SQRT2);

/** Two-sided p-value of a z-score. */
export const twoSidedP = (z: number): number => Math.min(1, 2 * normalSurvival(Math.abs(z)));

// Acklam's rational approximation of the normal quantile, refined by one Halley step.
const a = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const c = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
const poly = (coefficients: readonly number[], x: number) => coefficients.reduce((acc, k) => acc * x + k, 0);

/** The p-quantile of the standard normal distribution (0 < p < 1). */
export const normalQuantile = (p: number): number => {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const low = 0.02425;
  let x: number;
  // Stryker disable next-line EqualityOperator: equivalent, at p = low exactly the tail and the central formula, each refined by the Halley step below, agree to 1 ulp (−1.972961013645908 and −1.9729610136459077)
  const lowerTail = p < low;
  // Stryker disable next-line EqualityOperator: equivalent, at p = 1 − low exactly the two formulas, refined, agree to 1 ulp, as at p = low
  const upperTail = p > 1 - low;
  if (lowerTail) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = poly(c, q) / (poly(d, q) * q + 1);
  } else if (upperTail) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -poly(c, q) / (poly(d, q) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = (poly(a, r) * q) / (poly(b, r) * r + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  // Stryker disable next-line ArithmeticOperator: equivalent, the second-order term x·u/2 is below 1e-7 (u is the erfc approximation's error), so a changed term moves x by less than rounding
  return x - u / (1 + (x * u) / 2);
};

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9). */
const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const logGamma = (x: number): number => {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = lanczos[0] ?? 0;
  // Stryker disable next-line EqualityOperator: equivalent, one step more adds (lanczos[9] ?? 0) / (y + 9) = 0
  for (let i = 1; i < lanczos.length; i++) sum += (lanczos[i] ?? 0) / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
};

/**
 * The guard of the modified Lentz method (Numerical Recipes §5.2): a denominator whose magnitude falls
 * below 1e-300 is replaced by 1e-300, so that a continued fraction never divides by zero.
 */
export const lentzNonZero = (v: number): number => (Math.abs(v) < 1e-300 ? 1e-300 : v);

/** Continued fraction of the incomplete beta function (modified Lentz). */
const betaContinuedFraction = (x: number, p: number, q: number): number => {
  let c1 = 1;
  let d1 = 1 / lentzNonZero(1 - ((p + q) * x) / (p + 1));
  let h = d1;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (q - m) * x) / ((p + m2 - 1) * (p + m2));
    d1 = 1 / lentzNonZero(1 + aa * d1);
    c1 = lentzNonZero(1 + aa / c1);
    h *= d1 * c1;
    aa = (-(p + m) * (p + q + m) * x) / ((p + m2) * (p + m2 + 1));
    d1 = 1 / lentzNonZero(1 + aa * d1);
    c1 = lentzNonZero(1 + aa / c1);
    const delta = d1 * c1;
    h *= delta;
    // Stryker disable next-line EqualityOperator: equivalent, delta − 1 is exact near 1 and a multiple of 2^−53, which 1e-15 (9.007 × 2^−53) is not, so it never equals 1e-15
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
};

/** The regularised incomplete beta function I_x(p, q). */
const incompleteBeta = (x: number, p: number, q: number): number => {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, at x = 0 the front is exp(p ln 0) = 0 and the formula gives 0 too
  if (x <= 0) return 0;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, at x = 1 the front is exp(q ln 0) = 0 and the formula gives 1 − 0
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(p + q) - logGamma(p) - logGamma(q) + p * Math.log(x) + q * Math.log(1 - x));
  return x < (p + 1) / (p + q + 2)
    ? (front * betaContinuedFraction(x, p, q)) / p
    : 1 - (front * betaContinuedFraction(1 - x, q, p)) / q;
};

/** P(T > t) for Student's t with `dof` degrees of freedom. */
export const studentTSurvival = (t: number, dof: number): number => {
  const tail = 0.5 * incompleteBeta(dof / (dof + t * t), dof / 2, 0.5);
  // Stryker disable next-line EqualityOperator: equivalent, at t = 0 the tail is 1/2 = 1 − 1/2
  return t >= 0 ? tail : 1 - tail;
};

/** The p-quantile of Student's t with `dof` degrees of freedom (bisection on the survival function). */
export const studentTQuantile = (p: number, dof: number): number => {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile needs 0 < p < 1, got ${p}`);
  if (p === 0.5) return 0;
  // Stryker disable next-line EqualityOperator: equivalent, p = 0.5 returned above
  const upper = p > 0.5;
  const tail = upper ? 1 - p : p;
  let lo = 0;
  let hi = Math.max(1, Math.abs(normalQuantile(tail)));
  while (studentTSurvival(hi, dof) > tail) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTSurvival(mid, dof) > tail) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  return upper ? t : -t;
};

/** The regularised lower incomplete gamma function P(s, x) for x > 0 (series below s + 1, continued fraction above). */
const lowerGammaRatio = (s: number, x: number): number => {
  const logFront = s * Math.log(x) - x - logGamma(s);
  // With x near s both expansions need steps in proportion to √s (the series' terms fall as e^(−k²/2s),
  // so about 8.3 √s of them reach 1e-15 of the sum); 1 000 alone would cut them short past s ≈ 15 000.
  const steps = 1000 + 10 * Math.sqrt(s);
  if (x < s + 1) {
    let term = 1 / s;
    let sum = term;
    for (let k = 1; k < steps; k++) {
      term *= x / (s + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.min(1, sum * Math.exp(logFront));
  }
  let bb = x + 1 - s;
  let cc = 1 / 1e-300;
  let dd = 1 / bb;
  let h = dd;
  for (let i = 1; i < steps; i++) {
    const an = -i * (i - s);
    bb += 2;
    dd = 1 / lentzNonZero(an * dd + bb);
    cc = lentzNonZero(bb + an / cc);
    const delta = dd * cc;
    h *= delta;
    // Stryker disable next-line EqualityOperator: equivalent, delta − 1 is exact near 1 and a multiple of 2^−53, which 1e-15 (9.007 × 2^−53) is not, so it never equals 1e-15
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.max(0, 1 - Math.exp(logFront) * h);
};

/** P(X ≥ k) for X ~ Poisson(mean): the exact upper tail of a count. */
export const poissonUpperTail = (k: number, mean: number): number =>
  k <= 0 ? 1 : mean <= 0 ? 0 : lowerGammaRatio(k, mean);
