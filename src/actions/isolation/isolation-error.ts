import { StewardError } from '../../errors.js';

/**
 * An isolation that failed partway: it names the instance, the interface that failed and what
 * became of the interfaces already moved, with the AWS error as its `cause`. An isolation that
 * fails records no groups in the ledger, so the interfaces it moved are put back first; one
 * that cannot be put back has its groups in this message, the only place they are kept.
 *
 * @example
 * throw new IsolationError('isolating i-0123 failed at eni-0b: Throttling; eni-0a was given back its groups sg-1 (web)', { cause: error });
 */
export class IsolationError extends StewardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IsolationError';
  }
}
