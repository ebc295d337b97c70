import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one wildcard resource of cdk-nag's IAM5 rule on `scope`, and that resource only.
 * The finding id is rendered by cdk-nag's own renderer (`<Logical.Arn>/index/*`), so it is exact
 * without copying logical ids by hand, and a policy that grows a new wildcard still fails synth.
 */
export const acknowledgeWildcardResource = (scope: IConstruct, resource: string, reason: string): void => {
  const rendered = flattenCfnReference(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
};
