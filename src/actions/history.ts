import { StewardError } from '../errors.js';

/** An action's succeeded outcome as the ledger holds it, for an action that undoes it. */
export interface RecordedOutcome {
  action: string;
  resource: string;
  /** The event and rule that took the action. */
  eventId: string;
  ruleId: string;
  /** When the action was claimed (ISO 8601). */
  at: string;
  detail?: string;
  data?: Readonly<Record<string, unknown>>;
}

/**
 * What an action may read of the actions taken before it in the event's account and region:
 * an undo finds what the action it undoes recorded (the security groups an isolation replaced).
 *
 * @example
 * const isolated = await context.history.lastSucceeded('i-0123', 'ec2.isolate-instance');
 * if (isolated === undefined) return { status: 'skipped', detail: 'nothing recorded' };
 */
export interface ActionHistory {
  /** The newest succeeded, enforced outcome of `action` on `resource`; undefined when none. */
  lastSucceeded(resource: string, action: string): Promise<RecordedOutcome | undefined>;
}

/**
 * The history cannot be read: a plan reads no ledger, or the ledger failed.
 *
 * @example
 * throw new HistoryUnavailableError('cannot know the last ec2.isolate-instance on i-0123: a plan reads no ledger');
 */
export class HistoryUnavailableError extends StewardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HistoryUnavailableError';
  }
}

/**
 * The history of a run that reads no ledger (a what-if): every read says it cannot know.
 *
 * @example
 * await noHistory.lastSucceeded('i-0123', 'ec2.isolate-instance'); // throws HistoryUnavailableError
 */
export const noHistory: ActionHistory = {
  lastSucceeded: (resource, action) =>
    Promise.reject(
      new HistoryUnavailableError(
        `cannot know the last ${action} on ${resource}: a plan reads no ledger`,
      ),
    ),
};
