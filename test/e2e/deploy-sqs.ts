import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';
import { region } from './harness.js';

/** SHA-256 (keyed: HMAC) from node:crypto, in the shape the SDK's signer takes. */
class Sha256 implements Checksum {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error('a Sha256 is used once');
  }
}

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data);
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/**
 * One SQS JSON-protocol call, signed as the SDK signs it, against `endpoint`. The project has
 * no SQS client of its own (its code never calls SQS: Lambda writes to the dead-letter queue),
 * so the deploy test reads the queue with this.
 *
 * @example
 * const { QueueUrls } = await sqsCall(endpoint, 'ListQueues', { QueueNamePrefix: 'steward-' });
 */
export async function sqsCall(
  endpoint: string,
  operation: 'GetQueueAttributes' | 'ListQueues',
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service: 'sqs',
    region,
    sha256: Sha256,
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
    },
  });
  const body = JSON.stringify(input);
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `AmazonSQS.${operation}`,
    },
    body,
  });
  const response = await fetch(endpoint, { method: 'POST', headers: signed.headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`SQS ${operation} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}
