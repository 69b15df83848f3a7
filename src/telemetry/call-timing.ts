import type {
  DynamoDBClient,
  ServiceInputTypes,
  ServiceOutputTypes,
} from '@aws-sdk/client-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';

/** Told each call's time, in milliseconds. */
export type CallListener = (elapsedMs: number) => void;

/**
 * The time of each call a DynamoDB client makes, from request to response (its retries
 * included), told to whoever listens at the moment: the ledger's client reports to the
 * telemetry of the invocation under way, and to nobody between invocations or in the CLI.
 *
 * @example
 * const timing = new CallTiming();
 * timing.instrument(client);
 * const stop = timing.listen((ms) => telemetry.ledgerCall(ms));
 * try { await runPipeline(event, where, context); } finally { stop(); }
 */
export class CallTiming {
  private listener?: CallListener;

  /** Adds the middleware that times each of the client's calls. */
  instrument(client: DynamoDBClient): void {
    const timeCall: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
      (next) => async (args) => {
        const listener = this.listener;
        if (listener === undefined) return next(args);
        const started = performance.now();
        try {
          return await next(args);
        } finally {
          listener(performance.now() - started);
        }
      };
    client.middlewareStack.add(timeCall, { step: 'initialize', name: 'stewardCallTiming' });
  }

  /**
   * Tells each call's time to `listener`, in place of any listener before it (one invocation
   * runs at a time in a container), until the function returned is called.
   */
  listen(listener: CallListener): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }
}
