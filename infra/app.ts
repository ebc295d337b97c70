import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HotlineStack } from './hotline-stack.ts';
import { repoRoot } from './repo-root.ts';

export interface BuildAppOptions {
  /** Context on top of cdk.json's, e.g. `{ 'aws:cdk:bundling-stacks': [] }` to skip bundling in tests. */
  readonly context?: Record<string, unknown>;
  readonly outdir?: string;
}

export interface HotlineApp {
  readonly app: App;
  readonly stack: HotlineStack;
}

/** cdk.json's context, so an app built in a test has the same feature flags as `cdk synth`. */
const cdkJsonContext = (): Record<string, unknown> => {
  const cdkJson = JSON.parse(readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
};

/** Context values given on the command line arrive as strings; lists are comma-separated there. */
const listOf = (value: unknown): readonly string[] | undefined => {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
};

const stringOf = (value: unknown): string | undefined => (value === undefined ? undefined : String(value));

/**
 * The app exactly as `cdk synth` builds it (infra/bin/app.ts calls this), with cdk-nag's AWS Solutions
 * checks as a validation plugin: any unacknowledged finding fails synthesis.
 */
export const buildApp = (options: BuildAppOptions = {}): HotlineApp => {
  const props: AppProps = {
    context: { ...cdkJsonContext(), ...options.context },
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  };
  const app = new App(props);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const context = (key: string): unknown => app.node.tryGetContext(key);
  const stackName = stringOf(context('stackName')) ?? 'Hotline';
  const stack = new HotlineStack(app, stackName, {
    stackName,
    description: 'Hotline: serverless work orders for the 12345 citizen hotline',
    eventBusName: stringOf(context('eventBusName')),
    allowedOrigins: listOf(context('allowedOrigins')),
    callbackUrls: listOf(context('authCallbackUrls')),
    logoutUrls: listOf(context('authLogoutUrls')),
    authDomainPrefix: stringOf(context('authDomainPrefix')),
  });
  return { app, stack };
};
