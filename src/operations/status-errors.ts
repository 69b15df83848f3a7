import { messageOf, StewardError } from '../errors.js';

/** The parts `steward status` shows, each read on its own. */
export type StatusPartName = 'metrics' | 'failures' | 'deadLetters' | 'alarms';

/**
 * One part of a stage's status could not be read (access denied, no such queue or table, no
 * network): the message says what was asked and where, and what AWS answered; `cause` keeps
 * the SDK's error. The other parts are still read and shown.
 *
 * @example
 * throw new StatusPartError('deadLetters', 'cannot read the queue steward-prod-dead-letters in us-east-1', error);
 */
export class StatusPartError extends StewardError {
  constructor(
    readonly part: StatusPartName,
    what: string,
    cause: unknown,
  ) {
    super(`${what}: ${messageOf(cause)}`, { cause });
    this.name = 'StatusPartError';
  }
}
