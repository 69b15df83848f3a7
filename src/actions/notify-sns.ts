import type { ActionContext } from './action.js';
import { defineAction, eventTarget } from './action.js';
import { outcomeSentence } from './earlier-outcomes.js';
import { renderTemplate } from './template.js';

type NotifyParams = {
  topicArn: string;
  subject?: string;
};

/** SNS takes a subject of at most 100 printable ASCII characters, on one line. */
const subjectLimit = 100;

function subjectLine(text: string): string {
  const ascii = text
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
  return ascii.length <= subjectLimit ? ascii : `${ascii.slice(0, subjectLimit - 3)}...`;
}

function subjectOf({ params, rule, resource, event }: ActionContext<NotifyParams>): string {
  return subjectLine(
    params.subject === undefined
      ? `steward: ${rule.severity} ${rule.id} on ${resource}`
      : renderTemplate(params.subject, event),
  );
}

/** The message: what fired, on what, who did it, in which event, and what was done about it. */
function messageOf({ rule, resource, event, earlier }: ActionContext<NotifyParams>): string {
  const actor = event.actor?.arn ?? event.actor?.invokedBy ?? 'unknown';
  const where = [event.account, event.region].filter((part) => part !== undefined).join(' ');
  const actions =
    earlier.length === 0
      ? ['- none before this notification']
      : earlier.map((outcome) => `- ${outcomeSentence(outcome)}`);
  return [
    `Rule ${rule.id} (severity ${rule.severity}) matched.`,
    rule.description,
    '',
    `Resource: ${resource}`,
    `Actor: ${actor}`,
    `Event: ${event.source} ${event.name} at ${event.time}${where === '' ? '' : ` in ${where}`}`,
    `Event id: ${event.id}`,
    '',
    'Actions taken:',
    ...actions,
  ].join('\n');
}

/**
 * `notify.sns`: publish one readable message per event and rule to an SNS topic, naming the
 * rule, the resource, who acted, the event, and what the rule's earlier actions did (so put it
 * last). The subject may name event fields; it is cut to 100 ASCII characters. The message
 * carries the attributes `rule` and `severity` for subscription filter policies. On a FIFO
 * topic, the message groups by rule and dedupes by the ledger key.
 */
export const notifySns = defineAction<NotifyParams>({
  name: 'notify.sns',
  summary: 'Publish a readable notification to an SNS topic.',
  example: [
    'actions:',
    '  - action: ec2.stop-instances',
    '  - action: notify.sns',
    '    params:',
    '      topicArn: arn:aws:sns:us-east-1:123456789012:security-alerts',
    "      subject: 'steward stopped an instance ${actor.arn} started'",
  ].join('\n'),
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['topicArn'],
    properties: {
      topicArn: {
        type: 'string',
        pattern: '^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\\.fifo)?$',
        description: "the topic, in steward's own account",
      },
      subject: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        description: 'may name event fields: ${actor.arn}; cut to 100 ASCII characters',
      },
    },
  },
  permissions: () => ['sns:Publish'],
  destructive: false,
  targets: eventTarget,
  describe: (context) =>
    `notify ${context.params.topicArn} of ${context.rule.id} on ${context.resource}: "${subjectOf(context)}"`,
  async execute(context) {
    const { params, rule, key, home } = context;
    const { PublishCommand } = await import('@aws-sdk/client-sns');
    // The topic is steward's own, whichever account the event came from.
    const published = await (
      await home.sns()
    ).send(
      new PublishCommand({
        TopicArn: params.topicArn,
        Subject: subjectOf(context),
        Message: messageOf(context),
        MessageAttributes: {
          rule: { DataType: 'String', StringValue: rule.id },
          severity: { DataType: 'String', StringValue: rule.severity },
        },
        ...(params.topicArn.endsWith('.fifo')
          ? { MessageGroupId: rule.id, MessageDeduplicationId: key }
          : {}),
      }),
    );
    return {
      status: 'succeeded',
      detail: `notified ${params.topicArn} of ${rule.id} on ${context.resource}`,
      data: { messageId: published.MessageId },
    };
  },
});
