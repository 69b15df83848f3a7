import type { FactDescription } from './fact-description.js';

/**
 * `event`: the normalized event, the same for every source; conditions read it without any AWS
 * call.
 */
export const eventFact: FactDescription = {
  name: 'event',
  description: 'The normalized event, the same shape for every source.',
  fields:
    'id, source (ec2-state, cloudtrail, cloudwatch-logs), name (state, event name or log group), ' +
    'time, account, region, resources (instance, security-group, bucket, log-group and trail ' +
    'names, ARNs), eventSource, actor (arn, type, principalId, accountId, userName, invokedBy, ' +
    'sourceIp, userAgent, mfaUsed), error (code, message) of a failed call, delivery',
  permissions: [],
  example: [
    'conditions:',
    '  all:',
    '    - fact: event',
    '      path: $.actor.type',
    '      operator: equal',
    '      value: IAMUser',
  ].join('\n'),
};

/** `record`: the record as AWS sent it; conditions read it without any AWS call. */
export const recordFact: FactDescription = {
  name: 'record',
  description: 'The record as AWS sent it.',
  fields:
    'the CloudTrail record ($.userIdentity.type, $.requestParameters…), the EventBridge ' +
    'envelope of an EC2 state change ($.detail.state), or the log event ($.message, ' +
    '$.logGroup, $.logStream, $.timestamp)',
  permissions: [],
  example: [
    'conditions:',
    '  all:',
    '    - fact: record',
    '      path: $.userIdentity.type',
    '      operator: notEqual',
    '      value: AWSService',
  ].join('\n'),
};
