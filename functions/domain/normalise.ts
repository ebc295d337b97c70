/**
 * How a phone number and an address are written before they are hashed (the contact hash, the
 * analytics store's hashes), so that the same number or place typed two ways gives the same hash. A
 * module of its own so that what needs it does not bundle the analytics projection (h3-js and all).
 */
/**
 * The address as it is hashed, so that the same place typed twice gives the same hash: trimmed,
 * full-width ASCII forms (Ａ１，) and the ideographic space turned into their half-width forms, runs
 * of white space collapsed to one space, lower-cased. Nothing else is changed (no synonyms, no
 * re-ordering): two spellings of one place that differ otherwise stay two places.
 */
export const normaliseAddress = (address: string): string =>
  address
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

/** A phone number as it is hashed: digits only, a leading 86 / 0086 dropped before an 11-digit mobile. */
export const normalisePhone = (phone: string): string => {
  const digits = phone.replace(/\D/g, '');
  const mobile = /^(?:0086|86)(1\d{10})$/.exec(digits);
  return mobile?.[1] ?? digits;
};
