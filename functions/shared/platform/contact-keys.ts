import { readFileSync } from 'node:fs';
import {
  type ContactSealer,
  contactSealer,
  kmsKeyring,
  rawAesKeyring,
} from '#shared/gateways/contact-sealing.ts';
import { optionalEnv, requireEnv } from '#shared/platform/config.ts';
import { type KeyedHash, keyedHashFromSecret } from '#shared/platform/keyed-hash.ts';
import { envNames } from '#wiring/wiring.ts';

/**
 * The keys of requesters' contact details, from the function's environment: the sealer on the KMS key
 * in AWS (CDK sets its ARN), or on a raw AES key from a file on the local stack; and the contact hash,
 * its key a Secrets Manager secret in both. Each is built once per container, when first needed.
 */
let sealer: ContactSealer | undefined;

export const contactSealerOfEnv = (): ContactSealer => {
  if (sealer) return sealer;
  const keyArn = optionalEnv(envNames.contactKeyArn, '');
  const keyFile = optionalEnv(envNames.contactKeyFile, '');
  if (keyArn === '' && keyFile === '') {
    throw new Error(
      `Set ${envNames.contactKeyArn} (KMS) or ${envNames.contactKeyFile} (a local key) to seal contacts.`,
    );
  }
  sealer = contactSealer(keyArn !== '' ? kmsKeyring(keyArn) : rawAesKeyring(readFileSync(keyFile)));
  return sealer;
};

export const contactHashOfEnv = (): Promise<KeyedHash> =>
  keyedHashFromSecret(requireEnv(envNames.contactHashSecret));
