import { defineAction, eventTarget } from './action.js';

type EmitParams = {
  eventBusName?: string;
  detailType?: string;
  source?: string;
};

const defaults = { eventBusName: 'default', detailType: 'steward.RuleMatched', source: 'steward' };

function settings(params: EmitParams): Required<EmitParams> {
  return {
    eventBusName: params.eventBusName ?? defaults.eventBusName,
    detailType: params.detailType ?? defaults.detailType,
    source: params.source ?? defaults.source,
  };
}

/**
 * `events.emit`: put one event on an EventBridge bus per event and rule, for other automation
 * to pick up. Its detail is `{metadata: {idempotency-key, event-id, time}, data: {rule,
 * severity, action, resource}}`: the idempotency key is the ledger key, the same on every
 * redelivery, so consumers can dedupe; `action` lists the rule's earlier actions on the event
 * and how they ended (so put it last). The entry names the resource in `Resources` when it is
 * an ARN. Defaults: bus `default`, detail-type `steward.RuleMatched`, source `steward`.
 */
export const eventsEmit = defineAction<EmitParams>({
  name: 'events.emit',
  summary: 'Put an event on an EventBridge bus.',
  example: [
    'actions:',
    '  - action: cloudtrail.start-logging',
    '  - action: events.emit',
    '    params: { eventBusName: security, detailType: steward.TrailRestarted }',
  ].join('\n'),
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      eventBusName: {
        type: 'string',
        minLength: 1,
        maxLength: 1600,
        default: defaults.eventBusName,
        description: 'A bus name or ARN.',
      },
      detailType: { type: 'string', minLength: 1, maxLength: 128, default: defaults.detailType },
      source: {
        type: 'string',
        minLength: 1,
        maxLength: 256,
        default: defaults.source,
        // EventBridge keeps sources that start with "aws." for AWS services.
        not: { pattern: '^aws\\.' },
      },
    },
  },
  permissions: () => ['events:PutEvents'],
  destructive: false,
  targets: eventTarget,
  describe: ({ params, rule, resource }) => {
    const { eventBusName, detailType, source } = settings(params);
    return `emit ${detailType} from ${source} to event bus ${eventBusName} for ${rule.id} on ${resource}`;
  },
  async execute(context) {
    const { params, rule, resource, event, key, earlier, home } = context;
    const { eventBusName, detailType, source } = settings(params);
    const detail = {
      metadata: { 'idempotency-key': key, 'event-id': event.id, time: event.time },
      data: {
        rule: rule.id,
        severity: rule.severity,
        action: earlier.map((outcome) => ({
          name: outcome.action,
          resource: outcome.resource,
          status: outcome.status,
        })),
        resource,
      },
    };
    const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    // The bus is steward's own, whichever account the event came from.
    const result = await (
      await home.eventBridge()
    ).send(
      new PutEventsCommand({
        Entries: [
          {
            Source: source,
            DetailType: detailType,
            EventBusName: eventBusName,
            ...(resource.startsWith('arn:') ? { Resources: [resource] } : {}),
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    const entry = result.Entries?.[0];
    if ((result.FailedEntryCount ?? 0) > 0 || entry?.ErrorCode !== undefined) {
      throw new Error(
        `EventBridge refused the event: ${entry?.ErrorCode ?? 'unknown error'}: ${entry?.ErrorMessage ?? 'no message'}`,
      );
    }
    return {
      status: 'succeeded',
      detail: `emitted ${detailType} from ${source} to event bus ${eventBusName} for ${rule.id} on ${resource}`,
      data: { eventId: entry?.EventId },
    };
  },
});
