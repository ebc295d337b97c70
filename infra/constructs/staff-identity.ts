import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  ClientAttributes,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { type Role, roles, scopePrefix } from '#wiring/wiring.ts';
import { HotlineFunction } from './hotline-function.ts';

/** What each role may do, as the Cognito console shows it next to the group and the scope. */
const roleDescriptions: Readonly<Record<Role, string>> = {
  operator: 'Call-centre operator (话务员): takes contacts and opens work orders',
  dispatcher: 'Dispatcher (派单员): routes orders to handling units',
  unit: 'Handling unit staff (承办单位): accept and reply to the orders of their unit',
  supervisor: 'Supervisor (督办): oversees deadlines, dispatch and escalation',
  auditor: 'Auditor (审计): reads orders and their history',
};

const pascal = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

export interface StaffIdentityProps {
  readonly userPoolName: string;
  /** Where the hosted sign-in may send the authorization code back to. */
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
  /** Hosted sign-in domain prefix (`<prefix>.auth.<region>.amazoncognito.com`); none when omitted. */
  readonly domainPrefix?: string;
}

/**
 * The staff directory: a Cognito user pool whose groups are the roles, a resource server whose scopes
 * are `hotline/<role>`, and a public app client for the authorization code flow. A pre-token-generation
 * (V2) trigger puts the role, the unit and the role scopes on the access token, which is what the API's
 * JWT authorizer and the handlers read.
 */
export class StaffIdentity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly preTokenGeneration: HotlineFunction;
  /** The `iss` of the pool's tokens, as the JWT authorizer expects it. */
  readonly issuerUrl: string;

  constructor(scope: Construct, id: string, props: StaffIdentityProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: props.userPoolName,
      // Staff accounts are created by administrators, never by the public.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Essentials is the lowest plan with the V2 pre-token-generation trigger (access token customisation).
      featurePlan: FeaturePlan.ESSENTIALS,
      customAttributes: { unit_id: new StringAttribute({ mutable: true, minLen: 1, maxLen: 64 }) },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    roles.forEach((role, precedence) => {
      new CfnUserPoolGroup(this, `${pascal(role)}Group`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: roleDescriptions[role],
        // Lower precedence wins; it follows the order of `roles`, as the token's `role` claim does.
        precedence,
      });
    });

    const roleScopes = roles.map(
      (role) => new ResourceServerScope({ scopeName: role, scopeDescription: roleDescriptions[role] }),
    );
    const resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: scopePrefix,
      userPoolResourceServerName: 'Hotline API',
      scopes: roleScopes,
    });

    this.client = this.userPool.addClient('StaffClient', {
      // A browser app cannot keep a secret: authorization code flow with PKCE, no client secret.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [
          OAuthScope.OPENID,
          OAuthScope.EMAIL,
          ...roleScopes.map((s) => OAuthScope.resourceServer(resourceServer, s)),
        ],
        callbackUrls: [...props.callbackUrls],
        logoutUrls: [...props.logoutUrls],
      },
      // Staff may change their own name and e-mail, never their unit: custom:unit_id decides which
      // orders a unit's staff read and answer, so only administrators set it.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true, email: true }),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    if (props.domainPrefix !== undefined) {
      this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.domainPrefix } });
    }

    this.preTokenGeneration = new HotlineFunction(this, 'PreTokenGeneration', {
      entry: 'functions/auth/pre-token-generation.ts',
      description: 'Cognito pre-token-generation V2: role, unit and role scopes on the access token',
      // Cognito waits at most 5 s for a trigger.
      timeoutSeconds: 5,
      memoryMb: 256,
    });
    this.userPool.addTrigger(
      UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      this.preTokenGeneration.lambda,
      LambdaVersion.V2_0,
    );

    this.issuerUrl = `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.acknowledgePlan();
  }

  private acknowledgePlan(): void {
    const validations = Validations.of(this.userPool);
    validations.acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Essentials, not Plus: Essentials provides the V2 pre-token-generation trigger this design needs; Plus adds ' +
        'threat protection (adaptive authentication, compromised-credential checks) at a higher price per monthly ' +
        'active user, which a staff-only pool with no self sign-up, a 12-character password policy and TOTP MFA does ' +
        'without for now. Revisit before the pool is ever opened to citizens.',
    });
    validations.acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional, as the project decided: TOTP (no SMS) is offered to every staff account. Requiring it is a ' +
        'go-live decision, taken together with how call-centre agents on shared workstations enrol a device.',
    });
  }
}
