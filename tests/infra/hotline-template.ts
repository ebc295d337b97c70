import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type HotlineApp } from '../../infra/app.ts';

/** Skips esbuild: template assertions do not need the bundles (tests/infra/bundling.test.ts does). */
export const withoutBundling = { 'aws:cdk:bundling-stacks': [] } as const;

export interface SynthesizedHotline extends HotlineApp {
  readonly template: Template;
  /** Resources of one CloudFormation type, by logical id. */
  readonly resourcesOf: (type: string) => Record<string, CfnResource>;
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
  return { ...built, template, resourcesOf };
};

/** The one resource of a type, failing loudly when there are none or several. */
export const onlyOne = (resources: Record<string, CfnResource>): [string, CfnResource] => {
  const entries = Object.entries(resources);
  if (entries.length !== 1) throw new Error(`Expected exactly one resource, found ${entries.length}`);
  return entries[0] as [string, CfnResource];
};
