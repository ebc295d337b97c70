import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsServiceError } from './aws-errors.ts';

/**
 * The local twin of Secrets Manager's GetSecretValue, for the secrets the functions read: the key of
 * the analytics store's keyed hashes, and the key of the requesters' contact hash. Like the secret CDK creates (infra/constructs/analytics-store.ts),
 * it is 64 hex characters as the plain SecretString; it is generated once into the local folder's keys/
 * (beside the JWT signing key, so `--fresh` keeps it and hashes stay comparable across fresh starts).
 *
 * Like AWS: the secret is found by its name, its full ARN or its ARN without the six-character suffix;
 * only the AWSCURRENT version exists; an unknown secret is a ResourceNotFoundException.
 */
export const LOCAL_ANALYTICS_KEY_SECRET = 'hotline-local-analytics-key';
/** The key of the requesters' contact hash (functions/domain/requester-privacy.ts), the same way. */
export const LOCAL_CONTACT_HASH_SECRET = 'hotline-local-contact-hash-key';
/** The push key (functions/domain/push-subscriptions.ts): subscriptions' signing secrets derive from it. */
export const LOCAL_PUSH_KEY_SECRET = 'hotline-local-push-key';

/** A 256-bit key as 64 hex characters in `keysDir/<name>`, made on first use. */
export const loadOrCreateHexKey = (keysDir: string, name: string): string => {
  const file = join(keysDir, name);
  if (!existsSync(file)) {
    mkdirSync(keysDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8').trim();
};

export const loadOrCreateAnalyticsKey = (keysDir: string): string =>
  loadOrCreateHexKey(keysDir, 'analytics-hash.key');

/**
 * The local stand-in for the KMS key that seals contacts: 32 raw bytes for the Encryption SDK's raw AES
 * keyring, in `keysDir/contact-seal.key` (kept by --fresh, or the sealed contacts of a restarted stack
 * would no longer open). Its path is what the functions get.
 */
export const loadOrCreateContactSealKey = (keysDir: string): string => {
  const file = join(keysDir, 'contact-seal.key');
  if (!existsSync(file)) {
    mkdirSync(keysDir, { recursive: true });
    writeFileSync(file, randomBytes(32), { mode: 0o600 });
  }
  return file;
};

interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  readonly value: string;
  readonly versionId: string;
  readonly createdAt: number;
}

export class LocalSecretsManager {
  private readonly secrets: StoredSecret[];

  constructor(secrets: Readonly<Record<string, string>>, region = 'local', account = '000000000000') {
    this.secrets = Object.entries(secrets).map(([name, value]) => ({
      name,
      // AWS appends a dash and six random characters to every secret's ARN.
      arn: `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${randomBytes(3).toString('hex')}`,
      value,
      versionId: crypto.randomUUID(),
      createdAt: Date.now(),
    }));
  }

  /** GetSecretValue (`secretsmanager.GetSecretValue`, JSON 1.1). */
  getSecretValue(body: Record<string, unknown>) {
    const id = body.SecretId;
    if (typeof id !== 'string' || id.length < 1 || id.length > 2048) {
      throw new AwsServiceError(
        'ValidationException',
        "1 validation error detected: Value at 'secretId' failed to satisfy constraint: Member must have length between 1 and 2048",
      );
    }
    const secret = this.secrets.find(
      (s) => s.name === id || s.arn === id || s.arn.replace(/-[0-9a-f]{6}$/, '') === id,
    );
    const stage = body.VersionStage ?? 'AWSCURRENT';
    const version = body.VersionId ?? secret?.versionId;
    if (!secret || stage !== 'AWSCURRENT' || version !== secret.versionId) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: secret.versionId,
      SecretString: secret.value,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdAt / 1000,
    };
  }
}
