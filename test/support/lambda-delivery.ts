import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** A Lambda handler as the runtime calls it. */
export type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Which delivery an invocation was, in the order Lambda makes them for an asynchronous event. */
export type DeliveryName = 'delivery' | 'retry 1' | 'retry 2' | 'DLQ replay';

/** One invocation of the handler and how it ended. */
export interface Invocation {
  name: DeliveryName;
  /** The error the invocation threw (Lambda then delivers again); undefined when it returned. */
  error?: Error;
}

/** Everything Lambda did with one event. */
export interface DeliveryStory {
  invocations: Invocation[];
  /** True when every invocation threw: the event is still in the dead-letter queue. */
  inDeadLetterQueue: boolean;
}

export interface DeliveryOptions {
  /** What `getRemainingTimeInMillis` starts from in each invocation. */
  budgetMs: number;
  /**
   * Called before each invocation but the first, with the one about to start: the place to
   * end a fault, or to wait until the leases taken so far have ended before the DLQ replay.
   */
  before?: (name: DeliveryName) => Promise<void> | void;
}

/**
 * A Lambda context whose remaining time runs down from `budgetMs`, so the claims an invocation
 * takes get leases of about that length.
 *
 * @example
 * await handler(event, lambdaContext(5_000));
 */
export function lambdaContext(budgetMs: number): Context {
  const deadline = Date.now() + budgetMs;
  const context: Pick<
    Context,
    'awsRequestId' | 'functionName' | 'invokedFunctionArn' | 'getRemainingTimeInMillis'
  > = {
    awsRequestId: randomUUID(),
    functionName: 'steward-faults',
    // As in Lambda, the function's ARN tells steward its own account (moto's default).
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:steward-faults',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  return context as Context;
}

const schedule: readonly DeliveryName[] = ['delivery', 'retry 1', 'retry 2', 'DLQ replay'];

/**
 * Delivers an event the way Lambda delivers an asynchronous one: an invocation; when it throws,
 * up to two retries; when the last throws too, the event goes to the on-failure destination
 * (the dead-letter queue), from which it is replayed once. The retries come at once here, the
 * earliest Lambda could make them; `before` may wait as Lambda's ~1 and ~3 minutes would.
 *
 * @example
 * const story = await deliverAsLambda(handler, event, { budgetMs: 5_000 });
 * story.invocations.map((invocation) => invocation.error?.message ?? 'ok');
 */
export async function deliverAsLambda(
  handler: Handler,
  event: unknown,
  options: DeliveryOptions,
): Promise<DeliveryStory> {
  const invocations: Invocation[] = [];
  for (const name of schedule) {
    if (name !== 'delivery') await options.before?.(name);
    try {
      await handler(structuredClone(event), lambdaContext(options.budgetMs));
      invocations.push({ name });
      return { invocations, inDeadLetterQueue: false };
    } catch (error) {
      invocations.push({
        name,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }
  return { invocations, inDeadLetterQueue: true };
}
