import { functionSources } from './function-rules.js';
import { roleLogicalId } from './role-names.js';

/**
 * The dead-letter queue's policy: only the roles of steward's own functions may send to it.
 * `steward replay` believes what the queue holds as the payload AWS gave a function, so a
 * message from anyone else (a principal of the account with `sqs:SendMessage` on `*`) is
 * refused by the queue itself rather than trusted on replay.
 *
 * @example
 * const resource = deadLetterQueuePolicy();
 * resource.Properties.PolicyDocument.Statement[0].Effect; // 'Deny'
 */
export function deadLetterQueuePolicy() {
  return {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [{ Ref: 'DeadLetterQueue' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OnlyStewardFunctionsSend',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:SendMessage',
            Resource: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
            Condition: {
              ArnNotEquals: {
                'aws:PrincipalArn': Object.keys(functionSources).map((name) => ({
                  'Fn::GetAtt': [roleLogicalId(name), 'Arn'],
                })),
              },
            },
          },
        ],
      },
    },
  };
}
