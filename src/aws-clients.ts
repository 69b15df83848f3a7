import { requestTimeouts, type RequestTimeouts } from './request-timeouts.js';
import type { Tracing } from './telemetry/observer.js';
import { untraced } from './telemetry/tracing.js';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';

/** Credentials as the SDK clients take them: a function asked before each request. */
export type CredentialsProvider = () => Promise<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}>;

/** What an `AwsClients` is built with beside its region and request timeout. */
export interface AwsClientsOptions {
  /** Where the clients' credentials come from; the SDK's default chain when absent. */
  credentials?: CredentialsProvider;
  /** Instruments each client as it is created (X-Ray); clients as they are when absent. */
  tracing?: Pick<Tracing, 'captureClient'>;
}

/**
 * The AWS SDK clients facts and actions use. Clients that facts and actions call make one
 * attempt per call: steward retries them itself (`src/retry.ts`), within the invocation's
 * time, and counts the retries in the ledger. S3 reads keep the SDK's own retries. Each SDK package is loaded and its client created
 * on first use, then kept for the life of the container, so an event that needs no AWS call
 * pays for none. Endpoints follow the SDK's own settings (`AWS_ENDPOINT_URL`,
 * `AWS_ENDPOINT_URL_EC2`, ...), which is how tests point them at local servers.
 *
 * One instance serves one account and region: the function's own (the SDK's default
 * credentials), or a member account's (`credentials` from an assumed role, see `ClientPool`).
 * With `tracing`, every client is instrumented as it is created, so its calls are traced.
 *
 * @example
 * const clients = new AwsClients('us-east-1');
 * await (await clients.ec2()).send(new StopInstancesCommand({ InstanceIds: ['i-0123'] }));
 */
export class AwsClients {
  #ec2?: Promise<EC2Client>;
  #s3?: Promise<S3Client>;
  #cloudTrail?: Promise<CloudTrailClient>;
  #logs?: Promise<CloudWatchLogsClient>;
  #sns?: Promise<SNSClient>;
  #eventBridge?: Promise<EventBridgeClient>;
  #sts?: Promise<STSClient>;

  private readonly requestHandler: RequestTimeouts;
  private readonly credentials?: CredentialsProvider;
  private readonly tracing: Pick<Tracing, 'captureClient'>;

  /**
   * @param requestTimeoutMs how long one AWS call may take before it fails as a network error
   *   (then retried, or an unknown outcome): default 15 s.
   */
  constructor(
    readonly region: string = 'us-east-1',
    requestTimeoutMs = 15_000,
    options: AwsClientsOptions = {},
  ) {
    this.requestHandler = requestTimeouts(requestTimeoutMs);
    this.credentials = options.credentials;
    this.tracing = options.tracing ?? untraced;
  }

  /** What every client of this account and region is built with. */
  private config() {
    return {
      region: this.region,
      requestHandler: this.requestHandler,
      ...(this.credentials ? { credentials: this.credentials } : {}),
    };
  }

  /** A client as the rest of steward gets it: instrumented when tracing. */
  private made<T extends object>(client: T): T {
    return this.tracing.captureClient(client);
  }

  ec2(): Promise<EC2Client> {
    return (this.#ec2 ??= import('@aws-sdk/client-ec2').then(({ EC2Client }) =>
      this.made(new EC2Client({ ...this.config(), maxAttempts: 1 })),
    ));
  }

  s3(): Promise<S3Client> {
    return (this.#s3 ??= import('@aws-sdk/client-s3').then(({ S3Client }) =>
      this.made(new S3Client({ ...this.config(), forcePathStyle: true })),
    ));
  }

  cloudTrail(): Promise<CloudTrailClient> {
    return (this.#cloudTrail ??= import('@aws-sdk/client-cloudtrail').then(({ CloudTrailClient }) =>
      this.made(new CloudTrailClient({ ...this.config(), maxAttempts: 1 })),
    ));
  }

  logs(): Promise<CloudWatchLogsClient> {
    return (this.#logs ??= import('@aws-sdk/client-cloudwatch-logs').then(
      ({ CloudWatchLogsClient }) =>
        this.made(new CloudWatchLogsClient({ ...this.config(), maxAttempts: 1 })),
    ));
  }

  sns(): Promise<SNSClient> {
    return (this.#sns ??= import('@aws-sdk/client-sns').then(({ SNSClient }) =>
      this.made(new SNSClient({ ...this.config(), maxAttempts: 1 })),
    ));
  }

  eventBridge(): Promise<EventBridgeClient> {
    return (this.#eventBridge ??= import('@aws-sdk/client-eventbridge').then(
      ({ EventBridgeClient }) =>
        this.made(new EventBridgeClient({ ...this.config(), maxAttempts: 1 })),
    ));
  }

  /** STS keeps the SDK's own retries: assuming a role is safe to repeat. */
  sts(): Promise<STSClient> {
    return (this.#sts ??= import('@aws-sdk/client-sts').then(({ STSClient }) =>
      this.made(new STSClient(this.config())),
    ));
  }
}
