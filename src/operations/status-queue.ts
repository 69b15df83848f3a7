import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { StatusPartError } from './status-errors.js';

/** How many messages a queue holds. */
export interface QueueDepth {
  queue: string;
  url: string;
  /** `ApproximateNumberOfMessages`: waiting to be received. */
  messages: number;
  /** `ApproximateNumberOfMessagesNotVisible`: received, not yet deleted (a replay under way). */
  inFlight: number;
}

/**
 * The depth of the queue named `queue` (the stage's dead-letter queue). A queue that does not
 * exist or cannot be read throws `StatusPartError` naming it.
 *
 * @example
 * const { messages } = await queueDepth(sqs, 'steward-prod-dead-letters');
 */
export async function queueDepth(sqs: SQSClient, queue: string): Promise<QueueDepth> {
  try {
    const { QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    if (url === undefined) throw new Error('SQS answered no queue URL');
    const { Attributes: attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      queue,
      url,
      messages: Number(attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  } catch (error) {
    throw new StatusPartError('deadLetters', `cannot read the queue ${queue}`, error);
  }
}
