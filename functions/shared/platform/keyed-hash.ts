import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Keyed hashes (HMAC-SHA-256, hex) for the analytics store and the contact hash: the same requester or address gives the
 * same hash within a deployment, so repeats can be counted, but without the key nobody can test a
 * guessed phone number against it (a plain hash of an 11-digit number is reversed by brute force).
 */
export type KeyedHash = (text: string) => string;

/** Keys shorter than this are refused: a short secret would make the hashes guessable again. */
const MIN_KEY_BYTES = 16;

export const keyedHashWith = (key: string | Uint8Array): KeyedHash => {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (bytes.length < MIN_KEY_BYTES)
    throw new Error(`The keyed-hash key has fewer than ${MIN_KEY_BYTES} bytes.`);
  return (text) => createHmac('sha256', bytes).update(text, 'utf8').digest('hex');
};

// Created here, where it is used: most functions never read a secret.
const secrets = new SecretsManagerClient({});
const loading = new Map<string, Promise<KeyedHash>>();

/**
 * A keyed hash whose key is a Secrets Manager secret, read once per container (the secret's string, or
 * its binary): the analytics store's, and the centre's contact hash (requester-privacy.ts). A failed
 * read is not kept: the next invocation reads again.
 */
export const keyedHashFromSecret = (secretId: string): Promise<KeyedHash> => {
  let hash = loading.get(secretId);
  if (!hash) {
    hash = (async () => {
      const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
      const key = secret.SecretString ?? secret.SecretBinary;
      if (key === undefined) throw new Error(`The secret ${secretId} has no value.`);
      return keyedHashWith(key);
    })().catch((error: unknown) => {
      loading.delete(secretId);
      throw error;
    });
    loading.set(secretId, hash);
  }
  return hash;
};

/** The analytics store's keyed hash (requester, address). */
export const analyticsKeyedHash = keyedHashFromSecret;
