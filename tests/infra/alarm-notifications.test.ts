import { describe, expect, it } from 'vitest';
import { synthesizeHotline } from './hotline-template.ts';

/**
 * Alarms that reach someone (issue 11): every CloudWatch alarm of the stack notifies the alarm topic
 * when it goes off and when it is OK again; the topic is encrypted with a key CloudWatch may use and
 * takes TLS only; context alarmEmail subscribes an address.
 */
describe('alarm notifications', () => {
  const hotline = synthesizeHotline();
  const [topicId] = Object.keys(hotline.resourcesOf('AWS::SNS::Topic'));

  it('gives every alarm of the stack the topic as its alarm and OK action', () => {
    const alarms = Object.entries(hotline.resourcesOf('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(5);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions, id).toEqual([{ Ref: topicId }]);
    }
  });

  it('encrypts the topic with its own rotating key, which CloudWatch may use, and takes TLS only', () => {
    const topic = hotline.resourcesOf('AWS::SNS::Topic')[topicId ?? ''];
    if (!topic) throw new Error('no alarm topic');
    const keyRef = (topic.Properties.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const key = hotline.resourcesOf('AWS::KMS::Key')[keyRef];
    if (!key) throw new Error(`no key ${keyRef}`);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const statements = (key.Properties.KeyPolicy as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
    );
    const policies = Object.values(hotline.resourcesOf('AWS::SNS::TopicPolicy'));
    expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
  });

  it('subscribes the address in context alarmEmail, and none without it', () => {
    expect(hotline.resourcesOf('AWS::SNS::Subscription')).toEqual({});
    const withEmail = synthesizeHotline({ alarmEmail: 'ops@hotline.example.cn' });
    expect(Object.values(withEmail.resourcesOf('AWS::SNS::Subscription')).map((s) => s.Properties)).toEqual([
      expect.objectContaining({ Protocol: 'email', Endpoint: 'ops@hotline.example.cn' }),
    ]);
  });
});
