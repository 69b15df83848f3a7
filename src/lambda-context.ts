import type { Context } from 'aws-lambda';
import { accountIdPattern } from './aws-ids.js';

/** What a handler reads of its Lambda context. */
export interface Invocation {
  /** The account the function runs in, from its ARN: where events are at home. */
  account?: string;
  /** The time left before Lambda stops the invocation; absent where the context has no clock. */
  remainingTimeMs?: () => number;
}

/**
 * The account and the clock of an invocation. `sls invoke local` and tests may give a
 * context without either.
 *
 * @example
 * const { account, remainingTimeMs } = invocationOf(context);
 * if (account) clients.knowHomeAccount(account);
 */
export function invocationOf(context: Context): Invocation {
  // `arn:aws:lambda:<region>:<account>:function:<name>`
  const account = context.invokedFunctionArn?.split(':')[4];
  return {
    ...(account !== undefined && accountIdPattern.test(account) ? { account } : {}),
    ...(typeof context.getRemainingTimeInMillis === 'function'
      ? { remainingTimeMs: () => context.getRemainingTimeInMillis() }
      : {}),
  };
}
