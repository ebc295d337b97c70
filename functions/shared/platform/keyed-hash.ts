import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Keyed hashes (HMAC-SHA-256, hex) for the analytics store: the same requester or address gives the
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
let loading: Promise<KeyedHash> | undefined;

/**
 * The analytics keyed hash, its key read from Secrets Manager once per container (the secret's
 * string, or its binary). A failed read is not kept: the next invocation reads again.
 */
export const analyticsKeyedHash = (secretId: string): Promise<KeyedHash> => {
  loading ??= (async () => {
    const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    const key = secret.SecretString ?? secret.SecretBinary;
    if (key === undefined) throw new Error(`The secret ${secretId} has no value.`);
    return keyedHashWith(key);
  })().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
};
