import { LedgerUnavailableError } from '../ledger/errors.js';
import { RetriesExhaustedError, withRetries } from '../retry.js';

/**
 * Runs a ledger write retried like an AWS call (the same write sent again is recognised by its
 * token), and throws what failed its last try: DynamoDB's own error rather than the
 * `LedgerUnavailableError` around it, so that retries are decided on what DynamoDB said, or the
 * ledger's verdict (a lost claim) as it is.
 *
 * @example
 * await retriedLedgerWrite(() => ledger.complete(claim, completion), context.deadline());
 */
export async function retriedLedgerWrite<T>(write: () => Promise<T>, deadline: number): Promise<T> {
  try {
    const { value } = await withRetries(
      () =>
        write().catch((error: unknown) => {
          throw error instanceof LedgerUnavailableError ? error.cause : error;
        }),
      { deadline, maxAttempts: 4 },
    );
    return value;
  } catch (thrown) {
    throw thrown instanceof RetriesExhaustedError ? thrown.lastError : thrown;
  }
}
