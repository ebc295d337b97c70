import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aws, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  type HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { CfnUserPoolClient, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { Policy } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { DISABLE_ASSET_STAGING_CONTEXT, S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { Construct } from 'constructs';
import { buildDashboardSync, pageFiles } from '../../dashboard/build.ts';
import {
  contentSecurityPolicy,
  referrerPolicy,
  strictTransportSecondsMax,
} from '../../dashboard/security-headers.ts';

export interface DashboardSiteProps {
  /** The HTTP API the page calls (its stage URL), written into config.json. */
  readonly apiUrl: string;
  /** The staff app client: the page signs in with it, and the site's URL joins its callback and logout URLs. */
  readonly userPoolClient: UserPoolClient;
  /** The hosted UI's base URL, `https://<prefix>.auth.<region>.amazoncognito.com` (`UserPoolDomain.baseUrl()`). */
  readonly authDomainUrl: string;
  /**
   * Origins the page may call besides itself (the CSP's connect-src). By default the region's API
   * Gateway and Cognito hosted-UI hosts: naming the API's own URL would make the distribution depend on
   * the API, whose authorizer depends on the app client, which depends on the distribution (a cycle).
   */
  readonly connectSources?: readonly string[];
}

/**
 * The dashboard as a static site: a private S3 bucket behind CloudFront with origin access control (the
 * bucket policy admits only this distribution), HTTPS only, security headers on every answer, and
 * `index.html` as the root. The bundle is built with esbuild at synth time (dashboard/build.ts), so
 * `cdk synth` needs no separate step; when the stack skips bundling (tests), a placeholder page stands
 * in. Hashed assets are cached for a year, the page and its config.json never: a deployment is seen at
 * once. config.json carries the API URL and the Cognito values the sign-in needs.
 */
export class DashboardSite extends Construct {
  readonly bucket: Bucket;
  readonly logs: Bucket;
  readonly distribution: Distribution;
  /** `https://<id>.cloudfront.net/`: the page, and where Cognito sends the reader back after sign-in. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    // Server access logs by bucket policy, as S3 recommends (not the log-delivery ACL).
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const stack = Stack.of(this);

    // CloudFront's standard logs are written with an ACL, so this bucket alone keeps ACLs (object writer).
    this.logs = new Bucket(this, 'Logs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ id: 'ExpireLogs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the log bucket of the dashboard site (S3 access logs and CloudFront logs); logging it into itself would log each log delivery.',
    });

    this.bucket = new Bucket(this, 'Site', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 's3/',
      // Built from the repository at every deployment: nothing in it needs keeping, but a bucket that a
      // distribution served is retained like every other bucket of the project.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const connectSources = props.connectSources ?? [
      `https://*.execute-api.${Aws.REGION}.amazonaws.com`,
      `https://*.auth.${Aws.REGION}.amazoncognito.com`,
    ];
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Hotline dashboard: CSP, HSTS, no framing, no sniffing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(connectSources),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(strictTransportSecondsMax),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: referrerPolicy as HeadersReferrerPolicy,
          override: true,
        },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Hotline dashboard',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      // The readers are in Beijing: the edges of North America, Europe and Asia (not South America,
      // Australia) serve them at a lower price than all edges.
      priceClass: PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket: this.logs,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;

    // Cognito sends the reader back to the page after sign-in and sign-out.
    const client = props.userPoolClient.node.defaultChild as CfnUserPoolClient;
    client.callbackUrLs = [...(client.callbackUrLs ?? []), this.url];
    client.logoutUrLs = [...(client.logoutUrLs ?? []), this.url];

    const built = this.buildSite(stack);
    try {
      const assets = new BucketDeployment(this, 'Assets', {
        destinationBucket: this.bucket,
        sources: [Source.asset(built.assets)],
        // Older hashed files stay, so a page loaded before a deployment keeps working.
        prune: false,
        cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      });
      const page = new BucketDeployment(this, 'Page', {
        destinationBucket: this.bucket,
        sources: [
          Source.asset(built.page),
          Source.jsonData('config.json', {
            apiUrl: props.apiUrl,
            auth: 'cognito',
            domain: props.authDomainUrl,
            clientId: props.userPoolClient.userPoolClientId,
            redirectUri: this.url,
          }),
        ],
        prune: false,
        cacheControl: [CacheControl.noCache()],
        distribution: this.distribution,
        distributionPaths: ['/', ...pageFiles.map((f) => `/${f}`), '/config.json'],
      });
      // The page names the hashed assets: they must be there first.
      page.node.addDependency(assets);
    } finally {
      // The assets are staged (copied into the cloud assembly) as they are defined.
      if (!this.node.tryGetContext(DISABLE_ASSET_STAGING_CONTEXT))
        rmSync(built.root, { recursive: true, force: true });
    }
    this.acknowledgeFindings(stack);
  }

  /** The bundle in two folders: the hashed assets, and the page that names them. */
  private buildSite(stack: Stack): { root: string; assets: string; page: string } {
    const root = mkdtempSync(join(tmpdir(), 'hotline-dashboard-'));
    const assets = join(root, 'assets');
    const page = join(root, 'page');
    mkdirSync(assets);
    mkdirSync(page);
    if (!stack.bundlingRequired) {
      // Like a Lambda asset whose bundling is skipped: the template is complete, the contents are not.
      writeFileSync(join(page, 'index.html'), '<!doctype html><title>bundling skipped</title>');
      writeFileSync(
        join(assets, 'bundling-skipped.txt'),
        'The dashboard was not bundled for this synthesis.',
      );
      return { root, assets, page };
    }
    for (const file of buildDashboardSync())
      writeFileSync(join(pageFiles.includes(file.path) ? page : assets, file.path), file.contents);
    return { root, assets, page };
  }

  private acknowledgeFindings(stack: Stack): void {
    const validations = Validations.of(this.distribution);
    validations.acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction: the dashboard is for city staff who may read it from anywhere (travel, remote work); sign-in through the staff user pool is the control.',
    });
    validations.acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'No WAF web ACL yet: the site is static files only (no origin logic) and every figure comes from the API behind its JWT authorizer; a web ACL (e.g. rate-based rules) is a go-live decision priced per request.',
    });
    validations.acknowledge({
      id: 'AwsSolutions-CFR4',
      reason:
        "The distribution uses CloudFront's default *.cloudfront.net certificate, for which CloudFront fixes the viewer TLS policy; with a custom domain and ACM certificate set minimumProtocolVersion TLSv1.2_2021.",
    });
    // The deployments' handler is CDK's own singleton function (Python, AWS CLI layer) at the stack's root.
    // Its wildcards are acknowledged one by one, as its grants render them: a new one still fails synth.
    const siteBucketId = stack.getLogicalId(this.bucket.node.defaultChild as CfnElement);
    for (const child of stack.node.children) {
      if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
      const handler = Validations.of(child);
      handler.acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's BucketDeployment handler writes its logs with the AWS managed basic execution policy.",
      });
      handler.acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          "The runtime of CDK's BucketDeployment handler is chosen by aws-cdk-lib, not by this project.",
      });
      const policy = child.node.tryFindChild('ServiceRole')?.node.tryFindChild('DefaultPolicy') as
        | Policy
        | undefined;
      const statements = (
        stack.resolve(policy?.document.toJSON() ?? {}) as { Statement?: PolicyStatementJson[] }
      ).Statement;
      for (const statement of statements ?? []) {
        const actions = [statement.Action].flat();
        for (const action of actions.filter((a) => deploymentWildcardActions.has(a)))
          handler.acknowledge({
            id: `AwsSolutions-IAM5[Action::${action}]`,
            reason: `CDK's BucketDeployment handler copies the staged files into the site bucket with ${action} (aws-cdk-lib's grant).`,
          });
        for (const resource of [statement.Resource].flat()) {
          const rendered = flattenCfnReference(resource);
          if (!rendered.includes('*')) continue;
          const ofDeployment =
            JSON.stringify(resource).includes(siteBucketId) ||
            /:s3:::cdk-[a-z0-9]+-assets-/.test(rendered) ||
            (rendered === '*' && actions.every((a) => a.startsWith('cloudfront:')));
          if (ofDeployment)
            handler.acknowledge({
              id: `AwsSolutions-IAM5[Resource::${rendered}]`,
              reason:
                rendered === '*'
                  ? 'CDK grants the deployment handler its CloudFront invalidation on *.'
                  : "The objects of the site bucket and of CDK's staging bucket, which the deployment handler copies between.",
            });
        }
      }
    }
  }
}

interface PolicyStatementJson {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The wildcard actions aws-cdk-lib grants a BucketDeployment's handler (grantRead, grantReadWrite). */
const deploymentWildcardActions = new Set([
  's3:GetObject*',
  's3:GetBucket*',
  's3:List*',
  's3:DeleteObject*',
  's3:Abort*',
]);
