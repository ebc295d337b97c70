import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * The key of a keyed hash (HMAC-SHA-256) as a Secrets Manager secret: 64 hex characters (256 bits) as
 * the plain SecretString, kept when the stack goes, rotated by hand (a new key changes every hash made
 * with it, so the reason for never rotating it on a schedule is the caller's to give).
 */
export const hashKeySecret = (
  scope: Construct,
  id: string,
  props: { readonly description: string; readonly whyRotatedByHand: string },
): Secret => {
  const secret = new Secret(scope, id, {
    description: `${props.description}: 64 hex characters`,
    generateSecretString: {
      passwordLength: 64,
      // What is left is 0-9 and a-f: 64 hex characters, 256 bits.
      excludeUppercase: true,
      excludePunctuation: true,
      includeSpace: false,
      excludeCharacters: 'ghijklmnopqrstuvwxyz',
    },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason: props.whyRotatedByHand });
  return secret;
};
