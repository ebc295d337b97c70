/**
 * IP addresses and CIDR blocks as event-ruler reads them (CIDR.java): a text that looks like an
 * address (IPv4 `[0-9]+` four times, or IPv6 hex digits and colons) is parsed as Java's InetAddress
 * parses literals, IPv4-mapped IPv6 addresses (::ffff:a00:1) becoming IPv4. A CIDR needs exactly one
 * mask, below 32 for IPv4 and below 128 for IPv6 (event-ruler refuses /32 and /128); its base address
 * need not be the first of the block.
 */

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

export interface IpRange {
  readonly bottom: Uint8Array;
  readonly top: Uint8Array;
}

/** Whether event-ruler takes the text for an address at all (and so never for a host name). */
export const looksLikeIp = (text: string): boolean => IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);

const ipv4 = (text: string): Uint8Array | undefined => {
  const parts = text.split('.');
  // Current JDKs refuse octets with leading zeros as ambiguous (octal) literals.
  if (parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return undefined;
  return Uint8Array.from(parts.map(Number));
};

const ipv6 = (text: string): Uint8Array | undefined => {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const all = [...head, ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  if (halves.length === 1 ? all.length !== 8 : all.length > 7) return undefined;
  const words = [...head, ...Array<string>(8 - all.length).fill('0'), ...tail].map((g) =>
    Number.parseInt(g, 16),
  );
  const bytes = Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
};

/** The 4 or 16 bytes of an IP address literal, or undefined when it is none. */
export const ipAddressBytes = (text: string): Uint8Array | undefined => {
  if (IPV4_SHAPE.test(text)) return ipv4(text);
  if (IPV6_SHAPE.test(text)) return ipv6(text);
  return undefined;
};

export const inRange = (ip: Uint8Array, range: IpRange): boolean => {
  if (ip.length !== range.bottom.length) return false;
  const compare = (a: Uint8Array, b: Uint8Array) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  };
  return compare(ip, range.bottom) >= 0 && compare(ip, range.top) <= 0;
};

/** A single address as a range of one (how event-ruler matches an exact value that is an address). */
export const singleAddress = (text: string): IpRange | undefined => {
  const ip = ipAddressBytes(text);
  return ip && { bottom: ip, top: ip };
};

/** Parses a CIDR block; throws with event-ruler's message when it is not one. */
export const cidrRange = (cidr: string): IpRange => {
  // Java's String.split drops trailing empty strings: "10.0.0.0/24/" has one slash as far as it knows.
  const parts = cidr.split('/');
  while (parts.length > 0 && parts.at(-1) === '') parts.pop();
  if (parts.length !== 2) throw new Error("Malformed CIDR, one '/' required");
  const [address = '', mask = ''] = parts;
  // Integer.parseInt: an optional sign, decimal digits, within 32 bits.
  const bits = /^[+-]?\d+$/.test(mask) ? Number(mask) : Number.NaN;
  if (!Number.isInteger(bits) || bits > 2 ** 31 - 1 || bits < -(2 ** 31))
    throw new Error('Malformed CIDR, mask bits must be an integer');
  if (bits < 0) throw new Error('Malformed CIDR, mask bits must not be negative');
  if (!looksLikeIp(address)) throw new Error(`Nonstandard IP address: ${address}`);
  const ip = ipAddressBytes(address);
  if (!ip) throw new Error(`Invalid IP address: ${address}`);
  if (ip.length === 4 && bits > 31) throw new Error('IPv4 mask bits must be < 32');
  if (ip.length === 16 && bits > 127) throw new Error('IPv6 mask bits must be < 128');
  const bottom = Uint8Array.from(ip);
  const top = Uint8Array.from(ip);
  for (let bit = bits; bit < ip.length * 8; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    bottom[byte] = (bottom[byte] ?? 0) & ~mask;
    top[byte] = (top[byte] ?? 0) | mask;
  }
  return { bottom, top };
};
