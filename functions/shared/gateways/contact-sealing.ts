import {
  buildClient,
  CommitmentPolicy,
  type KeyringNode,
  KmsKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { type ContactDetails, contactFields } from '#domain/requester-privacy.ts';
import { contactEncryptionPurpose } from '#wiring/wiring.ts';

/**
 * A requester's contact details sealed before they reach DynamoDB (Art. 8; PIPL), with the AWS
 * Encryption SDK: one message per order holds all its details (each encrypt makes a data key, and
 * with KMS that is a call, so one per order rather than one per field). The message is bound to its
 * place by its encryption context (the order id and the purpose): a sealed value copied onto another
 * order, or read back as something else, fails to open. Commitment is required both ways, so a
 * ciphertext cannot be made to open to two different plaintexts.
 *
 * Keyrings: a KMS keyring on a customer-managed key in AWS; on the local stack a raw AES-256 keyring
 * from a local key file (same message format, same checks). AWS's DynamoDB field-level encryption SDK
 * has no JavaScript version, hence the message per order.
 */

export interface ContactSealer {
  readonly seal: (orderId: string, details: ContactDetails) => Promise<string>;
  readonly open: (orderId: string, sealed: string) => Promise<ContactDetails>;
}

/** The sealed value does not open for this order (another order's, altered, or another key's). */
export class ContactSealError extends Error {
  override readonly name = 'ContactSealError';
}

const PURPOSE = contactEncryptionPurpose;
const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

/** A raw AES-256-GCM keyring from 32 key bytes (the local stack's key file). */
export const rawAesKeyring = (key: Uint8Array, keyName = 'local-contact-key'): KeyringNode => {
  if (key.length !== 32) throw new Error(`A contact key has 32 bytes, not ${key.length}.`);
  return new RawAesKeyringNode({
    keyName,
    keyNamespace: 'hotline',
    unencryptedMasterKey: Uint8Array.from(key),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
};

/** A KMS keyring on one customer-managed key (its ARN). */
export const kmsKeyring = (keyArn: string): KeyringNode => new KmsKeyringNode({ generatorKeyId: keyArn });

/** Only the known fields, as strings: what goes in is what comes out. */
const detailsOf = (value: unknown): ContactDetails => {
  if (typeof value !== 'object' || value === null)
    throw new ContactSealError('The sealed contact is not an object.');
  const out: Record<string, string> = {};
  for (const field of contactFields) {
    const v = (value as Record<string, unknown>)[field];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new ContactSealError(`The sealed contact's ${field} is not text.`);
    out[field] = v;
  }
  return out;
};

export const contactSealer = (keyring: KeyringNode): ContactSealer => ({
  seal: async (orderId, details) => {
    const { result } = await encrypt(keyring, JSON.stringify(detailsOf(details)), {
      encryptionContext: { orderId, purpose: PURPOSE },
    });
    return result.toString('base64');
  },
  open: async (orderId, sealed) => {
    let opened: Awaited<ReturnType<typeof decrypt>>;
    try {
      opened = await decrypt(keyring, Buffer.from(sealed, 'base64'));
    } catch (error) {
      throw new ContactSealError(`The contact of order ${orderId} does not open.`, { cause: error });
    }
    // The SDK checks integrity; that the message belongs here is for the caller to check.
    const context = opened.messageHeader.encryptionContext;
    if (context.orderId !== orderId || context.purpose !== PURPOSE)
      throw new ContactSealError(
        `The sealed contact belongs to order ${context.orderId ?? '?'}, not ${orderId}.`,
      );
    return detailsOf(JSON.parse(opened.plaintext.toString('utf8')));
  },
});
