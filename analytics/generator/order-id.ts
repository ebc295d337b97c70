/**
 * Order ids as the live system makes them: `WO` + a ULID (github.com/ulid/spec): 48 bits of
 * milliseconds then 80 random bits, in Crockford's base 32, so ids sort by time of receipt. Here the
 * "random" bits come from the month's seeded stream, so the same seed gives the same ids.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Every 10-bit value as its two base-32 characters: half the concatenations. */
const PAIRS = Array.from(
  { length: 1024 },
  (_, v) => (CROCKFORD[v >>> 5] as string) + (CROCKFORD[v & 31] as string),
);
const P10 = 1024;

/** 40 bits (an exact double below 2^40) as 8 characters. */
const encode40 = (v: number): string => {
  const p3 = v % P10;
  let r = (v - p3) / P10;
  const p2 = r % P10;
  r = (r - p2) / P10;
  const p1 = r % P10;
  const p0 = (r - p1) / P10;
  return (PAIRS[p0] as string) + PAIRS[p1] + PAIRS[p2] + PAIRS[p3];
};

/**
 * `WO` + ULID of an instant (ms since the epoch, below 2^48) and 80 random bits given as a (32),
 * b (32) and c (16 bits).
 */
export const orderIdOf = (ms: number, a: number, b: number, c: number): string => {
  const t = Math.floor(ms);
  const low = t % 1_073_741_824; // 30 bits
  const high = (t - low) / 1_073_741_824; // 20 bits (a 50-bit field, the top 2 bits zero)
  const hi40 = a * 256 + (b >>> 24);
  const lo40 = (b & 0xffffff) * 65536 + (c & 0xffff);
  return (
    'WO' +
    (PAIRS[high >>> 10] as string) +
    PAIRS[high & 1023] +
    PAIRS[low >>> 20] +
    PAIRS[(low >>> 10) & 1023] +
    PAIRS[low & 1023] +
    encode40(hi40) +
    encode40(lo40)
  );
};
