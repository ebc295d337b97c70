import { RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { hashKeySecret } from './hash-key-secret.ts';

/**
 * What protects requesters' contact details (docs/privacy.md): the customer-managed KMS key that seals
 * them (yearly rotation, kept on delete: without it no sealed contact can ever be opened) and the key of
 * their keyed hash (repeat callers, analytics), a Secrets Manager secret. Grants are per use
 * (function-access.ts): sealing may only make data keys, opening may only decrypt, each only with the
 * encryption context the sealer sets (`purpose`).
 */
export class ContactProtection extends Construct {
  readonly key: Key;
  readonly hashSecret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description:
        "Seals requesters' contact details (AWS Encryption SDK data keys); opened only by the centre's reads",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.hashSecret = hashKeySecret(this, 'HashSecret', {
      description: "Key of the keyed hash (HMAC-SHA-256) of requesters' phone, credit code or name",
      whyRotatedByHand:
        'The contact-hash key is rotated by hand, never on a schedule: a new key changes every stored requester ' +
        'hash, so repeat callers across the rotation would no longer be found (docs/privacy.md says how to rotate).',
    });
  }
}
