/**
 * Numbers as event-ruler compares them (ComparableNumber.generate, event-ruler 1.8 and later): any
 * finite IEEE-754 double, compared exactly, but only when the JSON text denotes that double exactly,
 * that is when the decimal written equals the shortest decimal of the nearest double
 * (`BigDecimal.valueOf(d).compareTo(new BigDecimal(text)) == 0`). So 0.1, 1E-320, 123456789012 and
 * 9007199254740992 are numbers, while 9007199254740993, 0.10000000000000001, 1E-325 and 1E309 are not:
 * in a pattern's `numeric` or `anything-but` they are refused, as an exact value they only match the
 * same text, and in an event they match no numeric comparison.
 *
 * The limits of the classic engine (±5.0e9 with six decimals, still in some EventBridge pages) were
 * lifted by event-ruler#188 (2024); this follows the current engine.
 */

const DECIMAL = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A decimal's value in a canonical form (digits without leading or trailing zeros, exponent). */
const canonical = (text: string): string | undefined => {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = m;
  let digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  let exp = Number(exponent) - fraction.length;
  const trailing = /0+$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  exp += trailing;
  return `${sign}${digits}e${exp}`;
};

/** The double a JSON number text denotes exactly, or undefined when event-ruler cannot compare it. */
export const comparableNumber = (text: string): number | undefined => {
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  // String(value) is the shortest decimal that reads back as value, as Java's Double.toString is.
  if (canonical(text) !== canonical(String(value))) return undefined;
  return value === 0 ? 0 : value; // BigDecimal has no negative zero
};
