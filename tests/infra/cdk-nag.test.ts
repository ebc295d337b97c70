import { Validations } from 'aws-cdk-lib';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { withoutBundling } from './hotline-template.ts';

describe('cdk-nag AWS Solutions checks', () => {
  it('pass on the stack as it is', () => {
    const { app } = buildApp({ context: withoutBundling });

    expect(() => app.synth()).not.toThrow();
  });

  it('fail synthesis on an unacknowledged finding', () => {
    // Prepare: a table without point-in-time recovery is a DDB3 finding.
    const { app, stack } = buildApp({ context: withoutBundling });
    new Table(stack, 'Careless', { partitionKey: { name: 'pk', type: AttributeType.STRING } });

    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-DDB3/);
  });

  it('accept a finding acknowledged with a reason', () => {
    const { app, stack } = buildApp({ context: withoutBundling });
    const careless = new Table(stack, 'Careless', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
    });
    Validations.of(careless).acknowledge({ id: 'AwsSolutions-DDB3', reason: 'test fixture' });

    expect(() => app.synth()).not.toThrow();
  });
});
