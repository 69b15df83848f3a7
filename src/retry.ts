import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { HomeAccountError } from './accounts/home-account.js';
import { MemberRoleError } from './accounts/member-sessions.js';

/** How an AWS error should be treated. */
export type ErrorClass = 'throttled' | 'server' | 'network' | 'permanent';

/** An error as the AWS SDK throws it, the shape its own classifiers read. */
type SdkError = Parameters<typeof isTransientError>[0];

/**
 * Throttling and server errors are worth retrying; so are network errors, though for them (and
 * for server errors) a mutating call may have taken effect. Anything else (access denied, a
 * resource not found, a bad parameter) is permanent: retrying would only storm. Which errors
 * are throttling and which are transient is the AWS SDK's own classification, so steward
 * retries exactly what the SDK's retry strategy would.
 *
 * @example
 * classifyError(Object.assign(new Error('slow down'), { name: 'ThrottlingException' })); // 'throttled'
 */
export function classifyError(error: unknown): ErrorClass {
  if (!(error instanceof Error)) return 'permanent';
  // Reaching the account failed, not the call: as retryable as what STS said.
  if (error instanceof MemberRoleError || error instanceof HomeAccountError)
    return classifyError(error.cause);
  const sdkError = error as SdkError;
  if (isThrottlingError(sdkError)) return 'throttled';
  const status = sdkError.$metadata?.httpStatusCode;
  if (sdkError.$fault === 'server' || (status !== undefined && status >= 500)) return 'server';
  return isTransientError(sdkError) ? 'network' : 'permanent';
}

export interface RetryOptions {
  /** Epoch ms after which no new attempt starts (the invocation's end, less a margin). */
  deadline: number;
  /** The first backoff; each retry doubles it, with full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxAttempts?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** The last error of a call that was retried until it gave up, and how often it was retried. */
export class RetriesExhaustedError extends Error {
  constructor(
    readonly lastError: unknown,
    readonly retries: number,
    readonly errorClass: ErrorClass,
  ) {
    super(
      `${lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : String(lastError)} (after ${retries} retries)`,
    );
    this.name = 'RetriesExhaustedError';
  }
}

/** A call's value, how often it was retried, and whether an earlier try may have taken effect. */
export interface RetryResult<T> {
  value: T;
  retries: number;
  /**
   * The last server or network error that was retried: that try may have taken effect before
   * it failed, so what the call found may be its own work.
   */
  uncertain?: string;
}

/**
 * Runs `call`, retrying throttling, server and network errors with exponential backoff and
 * full jitter while attempts and time remain. Permanent errors are thrown at once.
 *
 * @example
 * const { value, retries } = await withRetries(() => ec2.send(command), { deadline: Date.now() + 10_000 });
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  options: RetryOptions,
): Promise<RetryResult<T>> {
  const now = options.now ?? Date.now;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 5_000;
  const maxAttempts = options.maxAttempts ?? 8;
  let uncertain: string | undefined;
  for (let retries = 0; ; retries++) {
    try {
      const value = await call();
      return uncertain === undefined ? { value, retries } : { value, retries, uncertain };
    } catch (error) {
      const errorClass = classifyError(error);
      if (errorClass === 'server' || errorClass === 'network')
        uncertain = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (errorClass === 'permanent')
        throw retries === 0 ? error : new RetriesExhaustedError(error, retries, errorClass);
      const delay = Math.floor(random() * Math.min(cap, base * 2 ** retries));
      if (retries + 1 >= maxAttempts || now() + delay >= options.deadline)
        throw new RetriesExhaustedError(error, retries, errorClass);
      await sleep(delay);
    }
  }
}
