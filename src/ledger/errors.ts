import { messageOf, StewardError } from '../errors.js';

/** A completion was refused because the claim is no longer held (its lease ran out and another delivery took it over). */
export class ClaimLostError extends StewardError {
  constructor(readonly key: string) {
    super(`the claim on ${key} was lost before its outcome could be recorded`);
    this.name = 'ClaimLostError';
  }
}

/**
 * A ledger call failed (throttled past the SDK's retries, a server error, a timeout, a lost
 * response), so whether it took effect is unknown. For a claim, `token` is the one the write
 * carried: releasing with it is safe whether or not the claim was written.
 */
export class LedgerUnavailableError extends StewardError {
  constructor(
    readonly operation: 'claim' | 'record' | 'complete' | 'release' | 'read' | 'guard',
    readonly key: string,
    cause: unknown,
    readonly token?: string,
  ) {
    super(
      `the ledger could not ${operation === 'read' ? 'be read' : operation === 'guard' ? 'check a guard' : `${operation} ${key}`}: ${messageOf(cause)}`,
      { cause },
    );
    this.name = 'LedgerUnavailableError';
  }
}

/** DynamoDB refused a conditional write because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
