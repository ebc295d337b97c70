import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContactSealError, contactSealer, rawAesKeyring } from '#shared/gateways/contact-sealing.ts';

const key = randomBytes(32);
const sealer = contactSealer(rawAesKeyring(key));
const ORDER = 'WO01KBAAAAAAAAAAAAAAAAAAAAAA';
const details = { name: '王女士', phone: '13800138000', email: 'wang@example.com' };

describe('contactSealer', () => {
  it('opens what it sealed for the same order, and the sealed text shows none of it', async () => {
    const sealed = await sealer.seal(ORDER, details);

    expect(await sealer.open(ORDER, sealed)).toEqual(details);
    const bytes = Buffer.from(sealed, 'base64').toString('latin1');
    for (const clear of ['13800138000', 'wang@example.com', Buffer.from('王女士').toString('latin1')])
      expect(bytes).not.toContain(clear);
  });

  it('seals the same details differently each time (a new data key and IV)', async () => {
    const [a, b] = await Promise.all([sealer.seal(ORDER, details), sealer.seal(ORDER, details)]);
    expect(a).not.toBe(b);
  });

  it('keeps only the contact fields, and all of them', async () => {
    const all = { name: 'n', phone: 'p', email: 'e', creditCode: '91110000MA01234567' };
    const sealed = await sealer.seal(ORDER, { ...all, extra: 'x' } as never);
    expect(await sealer.open(ORDER, sealed)).toEqual(all);
    expect(await sealer.open(ORDER, await sealer.seal(ORDER, {}))).toEqual({});
  });

  it('refuses to open a sealed contact on another order', async () => {
    const sealed = await sealer.seal(ORDER, details);
    await expect(sealer.open('WO01KBBBBBBBBBBBBBBBBBBBBBBB', sealed)).rejects.toThrow(
      new ContactSealError(`The sealed contact belongs to order ${ORDER}, not WO01KBBBBBBBBBBBBBBBBBBBBBBB.`),
    );
  });

  it('refuses an altered message and another key', async () => {
    const sealed = Buffer.from(await sealer.seal(ORDER, details), 'base64');
    const altered = Buffer.from(sealed);
    altered[altered.length - 40] = (altered[altered.length - 40] ?? 0) ^ 1;
    const other = contactSealer(rawAesKeyring(randomBytes(32)));

    await expect(sealer.open(ORDER, altered.toString('base64'))).rejects.toBeInstanceOf(ContactSealError);
    await expect(other.open(ORDER, sealed.toString('base64'))).rejects.toBeInstanceOf(ContactSealError);
    await expect(sealer.open(ORDER, 'not a message')).rejects.toBeInstanceOf(ContactSealError);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => rawAesKeyring(randomBytes(16))).toThrow('A contact key has 32 bytes, not 16.');
  });
});
