import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { DashboardSite } from '../../infra/constructs/dashboard-site.ts';
import { StaffIdentity } from '../../infra/constructs/staff-identity.ts';
import { repoRoot } from '../../infra/repo-root.ts';
import { withoutBundling } from './hotline-template.ts';

/**
 * The dashboard's static site in a stack of its own, beside the staff user pool it signs in with, under
 * the same cdk-nag checks as the app (infra/app.ts).
 */
const API_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com/';

const cdkContext = () =>
  (JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> })
    .context ?? {};

const build = (options: { bundle?: boolean; outdir?: string; region?: string | null } = {}) => {
  const app = new App({
    context: { ...cdkContext(), ...(options.bundle ? {} : withoutBundling) },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // A region by default (so names are literal); `null` for an environment-agnostic stack, as `cdk synth`.
  const region = options.region === undefined ? 'us-east-1' : options.region;
  const stack = new Stack(app, 'DashboardSiteTest', region === null ? {} : { env: { region } });
  const identity = new StaffIdentity(stack, 'Staff', {
    userPoolName: 'test-staff',
    callbackUrls: ['http://localhost:3000/dashboard/'],
    logoutUrls: ['http://localhost:3000/dashboard/'],
    domainPrefix: 'hotline-test',
  });
  const domain = identity.userPool.node.findChild('Domain') as UserPoolDomain;
  const site = new DashboardSite(stack, 'Dashboard', {
    apiUrl: API_URL,
    userPoolClient: identity.client,
    authDomainUrl: domain.baseUrl(),
  });
  return { app, stack, site, identity };
};

const synthesized = () => {
  const built = build();
  const template = Template.fromStack(built.stack);
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }
  >;
  const idOf = (construct: { node: { defaultChild?: unknown } }) =>
    built.stack.getLogicalId(construct.node.defaultChild as never);
  return { ...built, template, resources, idOf };
};

interface Statement {
  Effect: string;
  Principal?: { Service?: string; AWS?: unknown };
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

describe('DashboardSite', () => {
  it('serves the bucket through CloudFront with origin access control, never an origin access identity', () => {
    const { template, resources, idOf, site } = synthesized();

    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    expect(
      Object.values(resources).filter((r) => r.Type === 'AWS::CloudFront::CloudFrontOriginAccessIdentity'),
    ).toEqual([]);
    const config = resources[idOf(site.distribution)]?.Properties.DistributionConfig as {
      Origins: { OriginAccessControlId?: unknown; S3OriginConfig?: { OriginAccessIdentity?: string } }[];
    };
    expect(config.Origins).toHaveLength(1);
    expect(config.Origins[0]?.OriginAccessControlId).toEqual({
      'Fn::GetAtt': [expect.stringContaining('Dashboard'), 'Id'],
    });
    expect(config.Origins[0]?.S3OriginConfig?.OriginAccessIdentity ?? '').toBe('');
  });

  it('lets only this distribution read the bucket, and only over TLS', () => {
    const { resources, idOf, site } = synthesized();
    const siteBucket = idOf(site.bucket);

    const policy = Object.values(resources).find(
      (r) =>
        r.Type === 'AWS::S3::BucketPolicy' && (r.Properties.Bucket as { Ref: string }).Ref === siteBucket,
    );
    const statements =
      (policy?.Properties.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    for (const allow of allows) {
      expect(allow.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect([allow.Action].flat()).toEqual(['s3:GetObject']);
      expect(JSON.stringify(allow.Condition?.StringEquals?.['AWS:SourceArn'])).toContain(
        idOf(site.distribution),
      );
    }
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies.map((d) => d.Condition?.Bool?.['aws:SecureTransport'])).toContain('false');
  });

  it('keeps the buckets private and encrypted', () => {
    const { resources, idOf, site } = synthesized();

    for (const bucket of [site.bucket, site.logs]) {
      const properties = resources[idOf(bucket)]?.Properties ?? {};
      expect(properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(JSON.stringify(properties.BucketEncryption)).toContain('AES256');
    }
    expect(resources[idOf(site.bucket)]?.Properties.WebsiteConfiguration).toBeUndefined();
  });

  it('redirects HTTP to HTTPS, answers / with index.html and adds security headers', () => {
    const { template, resources, idOf, site } = synthesized();

    const config = resources[idOf(site.distribution)]?.Properties.DistributionConfig as Record<
      string,
      unknown
    >;
    expect(config.DefaultRootObject).toBe('index.html');
    const behaviour = config.DefaultCacheBehavior as Record<string, unknown>;
    expect(behaviour.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(behaviour.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(behaviour.ResponseHeadersPolicyId).toBeDefined();
    expect(config.Logging).toBeDefined();
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ContentTypeOptions: { Override: true },
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 63_072_000,
            IncludeSubdomains: true,
            Override: true,
          },
        },
      },
    });
    const csp = JSON.stringify(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('adds the site’s URL to the app client’s callback and logout URLs, keeping the others', () => {
    const { resources, idOf, site, identity } = synthesized();

    const client = resources[idOf(identity.client)]?.Properties ?? {};
    const siteUrl = {
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [idOf(site.distribution), 'DomainName'] }, '/']],
    };
    expect(client.CallbackURLs).toEqual(['http://localhost:3000/dashboard/', siteUrl]);
    expect(client.LogoutURLs).toEqual(['http://localhost:3000/dashboard/', siteUrl]);
  });

  it('deploys the page with a config.json of the API URL and the Cognito values, after the assets', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'hotline-dashboard-config-'));
    try {
      const { app, stack, site, identity } = build({ outdir });
      app.synth();
      const resources = Template.fromStack(stack).toJSON().Resources as Record<
        string,
        { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }
      >;
      const idOf = (construct: { node: { defaultChild?: unknown } }) =>
        stack.getLogicalId(construct.node.defaultChild as never);

      const deployments = Object.entries(resources).filter(
        ([, r]) => r.Type === 'Custom::CDKBucketDeployment',
      );
      expect(deployments).toHaveLength(2);
      const page = deployments.find(([, r]) => r.Properties.DistributionPaths !== undefined)?.[1];
      const assetsId = deployments.find(([, r]) => r.Properties.DistributionPaths === undefined)?.[0];
      expect(page?.Properties.DistributionPaths).toEqual([
        '/',
        '/index.html',
        '/api-docs.html',
        '/config.json',
      ]);
      expect(page?.DependsOn).toContain(assetsId);
      expect(JSON.stringify(page?.Properties.Prune)).toBe('false');
      // Deploy-time values are markers in the staged file, replaced by the handler with these values.
      const markers = ((page?.Properties.SourceMarkers ?? []) as Record<string, unknown>[]).find(
        (m) => Object.keys(m).length > 0,
      );
      const domain = identity.userPool.node.findChild('Domain') as UserPoolDomain;
      const configDir = readdirSync(outdir).find((d) => existsSync(join(outdir, d, 'config.json')));
      const staged = readFileSync(join(outdir, configDir ?? '', 'config.json'), 'utf8');
      expect(markers).toEqual({
        '<<marker:0xbaba:0>>': { Ref: stack.getLogicalId(domain.node.defaultChild as never) },
        '<<marker:0xbaba:1>>': { Ref: idOf(identity.client) },
        '<<marker:0xbaba:2>>': { 'Fn::GetAtt': [idOf(site.distribution), 'DomainName'] },
      });
      expect(JSON.parse(staged)).toEqual({
        apiUrl: API_URL,
        auth: 'cognito',
        domain: 'https://<<marker:0xbaba:0>>.auth.us-east-1.amazoncognito.com',
        clientId: '<<marker:0xbaba:1>>',
        redirectUri: 'https://<<marker:0xbaba:2>>/',
      });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('bundles the dashboard at synth: the page names the hashed script and stylesheet deployed beside it', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'hotline-dashboard-synth-'));
    try {
      const { app } = build({ bundle: true, outdir });
      app.synth();

      const staged = readdirSync(outdir).filter((f) => f.startsWith('asset.'));
      const pageDir = staged.find((d) => existsSync(join(outdir, d, 'index.html')));
      const html = readFileSync(join(outdir, pageDir ?? '', 'index.html'), 'utf8');
      const named = [...html.matchAll(/\.\/(app-[0-9a-f]{16}\.(?:js|css))/g)].map((m) => m[1]);
      expect(named).toHaveLength(2);
      for (const file of named)
        expect(
          staged.some((d) => existsSync(join(outdir, d, file ?? ''))),
          file,
        ).toBe(true);

      // The API docs page names swagger-ui's bundle, its stylesheet and the start script, all staged.
      const docsDir = staged.find((d) => existsSync(join(outdir, d, 'api-docs.html')));
      const docs = readFileSync(join(outdir, docsDir ?? '', 'api-docs.html'), 'utf8');
      const docsNamed = [
        ...docs.matchAll(/\.\/((?:swagger-ui-bundle|swagger-ui|api-docs)-[0-9a-f]{16}\.(?:js|css))/g),
      ].map((m) => m[1]);
      expect(docsNamed).toHaveLength(3);
      for (const file of docsNamed)
        expect(
          staged.some((d) => existsSync(join(outdir, d, file ?? ''))),
          file,
        ).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it.each([
    ['in a region', 'us-east-1'],
    ['environment-agnostic', null],
  ])('passes cdk-nag’s AWS Solutions checks (%s)', (_name, region) => {
    const { app } = build({ region });

    expect(() => app.synth()).not.toThrow();
  });
});
