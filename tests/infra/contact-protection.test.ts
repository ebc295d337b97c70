import { beforeAll, describe, expect, it } from 'vitest';
import type { ContactProtection } from '../../infra/constructs/contact-protection.ts';
import {
  contactEncryptionPurpose,
  envNames,
  type FunctionName,
  lambdaFunctions,
} from '../../wiring/wiring.ts';
import {
  type CfnResource,
  type PolicyStatement,
  type SynthesizedHotline,
  synthesizeHotline,
} from './hotline-template.ts';

/** Requesters' contacts in AWS (docs/privacy.md): the KMS key, the hash secret, and who may use which. */
let hotline: SynthesizedHotline;
let keyId: string;
let secretId: string;

beforeAll(() => {
  hotline = synthesizeHotline();
  const contacts = hotline.stack.node.findChild('Contacts') as ContactProtection;
  keyId = hotline.logicalIdOf(contacts.key);
  secretId = hotline.logicalIdOf(contacts.hashSecret);
});

const functionNames = Object.keys(lambdaFunctions) as FunctionName[];
const usesOf = (name: FunctionName): readonly string[] => lambdaFunctions[name].uses;
const functionOf = (name: FunctionName): CfnResource => {
  const resource =
    hotline.resourcesOf('AWS::Lambda::Function')[hotline.logicalIdOf(hotline.stack.functions[name].lambda)];
  if (!resource) throw new Error(`No function ${name}`);
  return resource;
};
const statementsOf = (name: FunctionName): PolicyStatement[] => {
  const role = functionOf(name).Properties.Role as { 'Fn::GetAtt': [string, string] };
  return hotline.statementsOfRole(role['Fn::GetAtt'][0]);
};
const variablesOf = (name: FunctionName) =>
  (functionOf(name).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const kmsStatements = (name: FunctionName) =>
  statementsOf(name).filter((s) => [s.Action].flat().some((action) => action.startsWith('kms:')));
const onHashSecret = (name: FunctionName) =>
  statementsOf(name).filter((s) => JSON.stringify(s.Resource) === JSON.stringify({ Ref: secretId }));

describe('the contact key', () => {
  it('is a customer-managed KMS key with yearly rotation, kept when the stack goes', () => {
    const key = hotline.resourcesOf('AWS::KMS::Key')[keyId];
    expect(key?.Properties).toMatchObject({ EnableKeyRotation: true });
    expect(key?.DeletionPolicy).toBe('Retain');
  });

  it('has a hash secret of 64 hex characters, kept when the stack goes', () => {
    const secret = hotline.resourcesOf('AWS::SecretsManager::Secret')[secretId];
    expect(secret?.Properties.GenerateSecretString).toMatchObject({
      PasswordLength: 64,
      ExcludeUppercase: true,
    });
    expect(secret?.DeletionPolicy).toBe('Retain');
  });
});

describe('who may use the contact key and the hash', () => {
  const condition = { StringEquals: { 'kms:EncryptionContext:purpose': contactEncryptionPurpose } };
  const keyArn = { 'Fn::GetAtt': [expect.any(String), 'Arn'] };

  it('lets the intakes seal and hash, and the contact reader and the call-back attempt open, nobody else', () => {
    const sealing = functionNames.filter((n) => usesOf(n).includes('contactSeal'));
    const opening = functionNames.filter((n) => usesOf(n).includes('contactOpen'));
    expect(sealing.sort()).toEqual(['createOrder', 'open311']);
    expect(opening.sort()).toEqual(['callbackAttempt', 'orderContact']);
  });

  it.each(functionNames)('gives %s exactly the KMS action of its use, with the purpose condition', (name) => {
    const expected = [
      ...(usesOf(name).includes('contactSeal') ? ['kms:GenerateDataKey'] : []),
      ...(usesOf(name).includes('contactOpen') ? ['kms:Decrypt'] : []),
    ];
    const statements = kmsStatements(name);
    expect(statements.map((s) => s.Action)).toEqual(expected);
    for (const statement of statements) {
      expect(statement).toMatchObject({ Effect: 'Allow', Resource: keyArn, Condition: condition });
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
    const variables = variablesOf(name);
    expect(envNames.contactKeyArn in variables).toBe(expected.length > 0);
    expect(envNames.contactKeyFile in variables).toBe(false);
  });

  it.each(functionNames)('lets %s read the hash secret only if it seals or hashes', (name) => {
    const reads = usesOf(name).includes('contactSeal') || usesOf(name).includes('contactHash');
    expect(onHashSecret(name).length > 0).toBe(reads);
    expect(envNames.contactHashSecret in variablesOf(name)).toBe(reads);
  });
});
