/**
 * HMAC-SHA-256 (RFC 2104, FIPS 180-4) of short ASCII texts, truncated to 128 bits as 32 hex
 * characters: the analytics store's keyed hashes of requesters and addresses (Art. 8, PIPL).
 *
 * Written out here rather than taken from node:crypto for speed alone: a year of Beijing needs some
 * 25 million of them, and `createHmac` builds two hash objects per call (~2.7 µs). With the key's
 * inner and outer blocks compressed once, an HMAC of a text under 56 bytes is two compressions
 * (~0.5 µs). The test compares it with node:crypto on many inputs.
 */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** One SHA-256 compression of the 16 words `block[0..15]` into `state` (w is scratch, 64 words). */
const compress = (state: Int32Array, block: Int32Array, w: Int32Array): void => {
  for (let i = 0; i < 16; i++) w[i] = block[i] as number;
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15] as number;
    const y = w[i - 2] as number;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + (K[i] as number) + (w[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
};

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

const utf8 = new TextEncoder();

/** Keyed hashes under one key: `hex32(text)` = the first 32 hex characters of HMAC-SHA-256(key, text). */
export class KeyedHasher {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly state = new Int32Array(8);
  private readonly block = new Int32Array(16);
  private readonly w = new Int32Array(64);

  constructor(key: string) {
    let keyBytes = utf8.encode(key);
    if (keyBytes.length > 64) keyBytes = new Uint8Array(sha256Bytes(keyBytes));
    for (const [target, pad] of [
      [this.inner, 0x36],
      [this.outer, 0x5c],
    ] as const) {
      target.set(INITIAL);
      for (let i = 0; i < 16; i++) {
        let word = 0;
        for (let j = 0; j < 4; j++) word = (word << 8) | (((keyBytes[i * 4 + j] ?? 0) ^ pad) & 0xff);
        this.block[i] = word;
      }
      compress(target, this.block, this.w);
    }
  }

  /** HMAC-SHA-256(key, text) truncated to 128 bits, hex. `text` is expected to be ASCII (checked). */
  hex32(text: string): string {
    const n = text.length;
    const { state, block, w } = this;
    state.set(this.inner);
    // Inner hash: (key ⊕ ipad) is already compressed; the message follows, then the padding.
    const totalBits = (64 + n) * 8;
    const blocks = ((n + 8) >>> 6) + 1;
    for (let k = 0; k < blocks; k++) {
      block.fill(0);
      const from = k * 64;
      const to = Math.min(n, from + 64);
      for (let p = from; p < to; p++) {
        const byte = text.charCodeAt(p);
        if (byte > 0x7f) throw new RangeError('KeyedHasher.hex32 hashes ASCII texts only.');
        const q = p - from;
        block[q >> 2] = (block[q >> 2] as number) | (byte << (24 - 8 * (q & 3)));
      }
      if (n >= from && n < from + 64) {
        const q = n - from;
        block[q >> 2] = (block[q >> 2] as number) | (0x80 << (24 - 8 * (q & 3)));
      }
      if (k === blocks - 1) {
        block[14] = Math.floor(totalBits / 4294967296);
        block[15] = totalBits | 0;
      }
      compress(state, block, w);
    }
    // Outer hash: (key ⊕ opad) compressed, then the 32-byte inner digest and its padding.
    for (let i = 0; i < 8; i++) block[i] = state[i] as number;
    block[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) block[i] = 0;
    block[15] = (64 + 32) * 8;
    state.set(this.outer);
    compress(state, block, w);
    let hex = '';
    for (let i = 0; i < 4; i++) {
      const v = state[i] as number;
      hex +=
        (HEX[(v >>> 24) & 0xff] as string) + HEX[(v >>> 16) & 0xff] + HEX[(v >>> 8) & 0xff] + HEX[v & 0xff];
    }
    return hex;
  }
}

/** Plain SHA-256 of bytes (only for keys longer than a block). */
const sha256Bytes = (bytes: Uint8Array): ArrayBuffer => {
  const state = new Int32Array(INITIAL);
  const block = new Int32Array(16);
  const w = new Int32Array(64);
  const n = bytes.length;
  const paddedLength = (((n + 8) >>> 6) + 1) * 64;
  for (let offset = 0; offset < paddedLength; offset += 64) {
    for (let i = 0; i < 16; i++) {
      let word = 0;
      for (let j = 0; j < 4; j++) {
        const p = offset + i * 4 + j;
        word = (word << 8) | (p < n ? (bytes[p] as number) : p === n ? 0x80 : 0);
      }
      block[i] = word;
    }
    if (offset + 64 === paddedLength) {
      block[14] = Math.floor((n * 8) / 4294967296);
      block[15] = (n * 8) | 0;
    }
    compress(state, block, w);
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const v = state[i] as number;
    out[i * 4] = (v >>> 24) & 0xff;
    out[i * 4 + 1] = (v >>> 16) & 0xff;
    out[i * 4 + 2] = (v >>> 8) & 0xff;
    out[i * 4 + 3] = v & 0xff;
  }
  return out.buffer;
};
