import { Aspects, type IAspect, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';

/**
 * Where every alarm of the stack goes: one SNS topic (encrypted with its own key, which CloudWatch may
 * use; TLS only), subscribed by the address in context `alarmEmail` when there is one (ops add others:
 * a pager, a chat hook). An aspect gives every CloudWatch alarm of the stack this topic as its alarm
 * and OK action, so an alarm added later cannot be forgotten.
 */
export class AlarmNotifications extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: { readonly email?: string | undefined } = {}) {
    super(scope, id);
    const key = new Key(this, 'Key', {
      description: 'Encrypts the alarm topic; CloudWatch publishes to it',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch alarms can publish to an encrypted topic only if its key lets CloudWatch use it.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', {
      displayName: 'Hotline 12345 alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    Aspects.of(scope).add(new NotifyOnAlarm(this.topic));
  }
}

class NotifyOnAlarm implements IAspect {
  private readonly action: SnsAction;
  private readonly done = new WeakSet<Alarm>();

  constructor(topic: Topic) {
    this.action = new SnsAction(topic);
  }

  visit(node: IConstruct): void {
    if (!(node instanceof Alarm) || this.done.has(node)) return;
    this.done.add(node);
    node.addAlarmAction(this.action);
    node.addOkAction(this.action);
  }
}
