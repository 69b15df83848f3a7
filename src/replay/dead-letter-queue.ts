import type { SQSClient } from '@aws-sdk/client-sqs';
import { messageOf, StewardError } from '../errors.js';
import { requestTimeouts } from '../request-timeouts.js';

/**
 * SQS refused or failed a request on the queue (it does not exist, access denied, the network):
 * says which request and which queue, and keeps the SDK's error as its cause.
 *
 * @example
 * throw new DeadLetterQueueError('receive', url, error);
 */
export class DeadLetterQueueError extends StewardError {
  constructor(
    readonly request: 'receive' | 'hide' | 'delete' | 'release',
    readonly queueUrl: string,
    cause: unknown,
  ) {
    super(`cannot ${request} messages of ${queueUrl}: ${messageOf(cause)}`, { cause });
    this.name = 'DeadLetterQueueError';
  }
}

/** A message as received: its body, and the receipt handle that deletes or releases it. */
export interface ReceivedMessage {
  messageId: string;
  body: string;
  receiptHandle: string;
}

/** SQS's own limits: ten messages a receive, twenty seconds of long polling. */
export const MAX_BATCH = 10;
export const MAX_WAIT_SECONDS = 20;

/**
 * The region of a queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`, or the
 * older `https://<region>.queue.amazonaws.com/…`), or undefined for another host (a local
 * server), whose region is the environment's.
 *
 * @example
 * queueRegion('https://sqs.eu-west-1.amazonaws.com/123456789012/steward-prod-dead-letters'); // 'eu-west-1'
 */
export function queueRegion(url: URL): string | undefined {
  return (
    /^sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(url.hostname)?.[1] ??
    /^([a-z0-9-]+)\.queue\.amazonaws\.com(?:\.cn)?$/.exec(url.hostname)?.[1]
  );
}

/**
 * A queue URL that is not one: says what a queue URL looks like.
 *
 * @example
 * throw new QueueUrlError('steward-prod-dead-letters');
 */
export class QueueUrlError extends StewardError {
  constructor(readonly text: string) {
    super(
      `${JSON.stringify(text)} is not a queue URL: expected https://sqs.<region>.amazonaws.com/<account>/<queue name> (the stack's DeadLetterQueueUrl output)`,
    );
    this.name = 'QueueUrlError';
  }
}

/**
 * The URL of a queue, checked: http(s), with a path of an account and a queue name. Anything
 * else is a `QueueUrlError`.
 *
 * @example
 * parseQueueUrl('https://sqs.us-east-1.amazonaws.com/123456789012/steward-prod-dead-letters');
 */
export function parseQueueUrl(text: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    !['http:', 'https:'].includes(url.protocol) ||
    !/^\/\d{12}\/[\w-]+$/.test(url.pathname)
  )
    throw new QueueUrlError(text);
  return url;
}

/**
 * The stack's dead-letter queue, as replay uses it: receive a batch (long polling), delete a
 * message once its events are recorded, release messages (visible again at once). Every SQS
 * failure is a `DeadLetterQueueError`.
 *
 * @example
 * const queue = await DeadLetterQueue.open(url);
 * const batch = await queue.receive({ max: 10, waitSeconds: 20, visibilitySeconds: 900 });
 */
export class DeadLetterQueue {
  private constructor(
    readonly url: string,
    private readonly sqs: SQSClient,
  ) {}

  /** Connects to the queue at `url` (checked by `parseQueueUrl`), at its host and in its region. */
  static async open(url: string, env: NodeJS.ProcessEnv = process.env): Promise<DeadLetterQueue> {
    const parsed = parseQueueUrl(url);
    const { SQSClient } = await import('@aws-sdk/client-sqs');
    const region = queueRegion(parsed) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
    // The queue URL names its host: the client talks to it, whatever endpoint the environment
    // sets for SQS. A long poll holds its request for up to MAX_WAIT_SECONDS: the timeout must
    // outlast it.
    const sqs = new SQSClient({
      region,
      endpoint: parsed.origin,
      requestHandler: requestTimeouts((MAX_WAIT_SECONDS + 10) * 1000),
    });
    return new DeadLetterQueue(url, sqs);
  }

  /** Up to `max` (at most ten) messages, each hidden from other receivers for `visibilitySeconds`. */
  async receive(options: {
    max: number;
    waitSeconds: number;
    visibilitySeconds: number;
  }): Promise<ReceivedMessage[]> {
    const { ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
    try {
      const received = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.url,
          MaxNumberOfMessages: Math.min(MAX_BATCH, options.max),
          WaitTimeSeconds: options.waitSeconds,
          VisibilityTimeout: options.visibilitySeconds,
        }),
      );
      return (received.Messages ?? []).flatMap((message) =>
        message.MessageId !== undefined && message.ReceiptHandle !== undefined
          ? [
              {
                messageId: message.MessageId,
                body: message.Body ?? '',
                receiptHandle: message.ReceiptHandle,
              },
            ]
          : [],
      );
    } catch (error) {
      throw new DeadLetterQueueError('receive', this.url, error);
    }
  }

  /** Deletes one message, for good. */
  async delete(message: ReceivedMessage): Promise<void> {
    const { DeleteMessageCommand } = await import('@aws-sdk/client-sqs');
    try {
      await this.sqs.send(
        new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: message.receiptHandle }),
      );
    } catch (error) {
      throw new DeadLetterQueueError('delete', this.url, error);
    }
  }

  /** Hides a received message from other receivers for `seconds` from now. */
  async hide(message: ReceivedMessage, seconds: number): Promise<void> {
    const { ChangeMessageVisibilityCommand } = await import('@aws-sdk/client-sqs');
    try {
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.url,
          ReceiptHandle: message.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    } catch (error) {
      throw new DeadLetterQueueError('hide', this.url, error);
    }
  }

  /** Makes messages visible to receivers again at once (a visibility timeout of 0). */
  async release(messages: readonly ReceivedMessage[]): Promise<void> {
    const { ChangeMessageVisibilityBatchCommand } = await import('@aws-sdk/client-sqs');
    for (let start = 0; start < messages.length; start += MAX_BATCH) {
      const batch = messages.slice(start, start + MAX_BATCH);
      try {
        const result = await this.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.url,
            Entries: batch.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.receiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        );
        const failed = result.Failed?.[0];
        if (failed !== undefined)
          throw new Error(`${failed.Code ?? 'failed'}: ${failed.Message ?? 'no message'}`);
      } catch (error) {
        throw new DeadLetterQueueError('release', this.url, error);
      }
    }
  }

  /** Ends the client's connections. */
  close(): void {
    this.sqs.destroy();
  }
}
