import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp, type HotlineApp } from '../../infra/app.ts';

/** Skips esbuild: template assertions do not need the bundles (tests/infra/bundling.test.ts does). */
export const withoutBundling = { 'aws:cdk:bundling-stacks': [] } as const;

export interface SynthesizedHotline extends HotlineApp {
  readonly template: Template;
  /** Resources of one CloudFormation type, by logical id. */
  readonly resourcesOf: (type: string) => Record<string, CfnResource>;
  /** Logical id of a construct's CloudFormation resource (an L2's default child, or an L1 itself). */
  readonly logicalIdOf: (construct: IConstruct) => string;
  /** Every statement of the IAM policies attached to a role, by the role's logical id. */
  readonly statementsOfRole: (roleLogicalId: string) => PolicyStatement[];
}

export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}

export const synthesizeHotline = (context: Record<string, unknown> = {}): SynthesizedHotline => {
  const built = buildApp({ context: { ...withoutBundling, ...context } });
  const template = Template.fromStack(built.stack);
  const resources = template.toJSON().Resources as Record<string, CfnResource>;
  const resourcesOf = (type: string) =>
    Object.fromEntries(Object.entries(resources).filter(([, resource]) => resource.Type === type));
  const logicalIdOf = (construct: IConstruct) =>
    built.stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
  const statementsOfRole = (roleLogicalId: string) =>
    Object.values(resourcesOf('AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleLogicalId))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement);
  return { ...built, template, resourcesOf, logicalIdOf, statementsOfRole };
};

/** The one resource of a type, failing loudly when there are none or several. */
export const onlyOne = (resources: Record<string, CfnResource>): [string, CfnResource] => {
  const entries = Object.entries(resources);
  if (entries.length !== 1) throw new Error(`Expected exactly one resource, found ${entries.length}`);
  return entries[0] as [string, CfnResource];
};
