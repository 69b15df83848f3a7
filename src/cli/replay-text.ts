import type { ReplayOutcome } from '../replay/replayer.js';
import { escapeControls } from './escape.js';
import { describeEvents } from './run-text.js';

/** Where a replay's messages came from: a queue (whose messages it may delete) or files. */
export type ReplaySource = { queue: string } | { files: readonly string[] };

function plural(count: number, word: string): string {
  return `${count} ${count === 1 ? word : `${word}s`}`;
}

/** An outcome, in the words of where it came from: a queue message is deleted or kept. */
function verdict(outcome: ReplayOutcome & { deleted?: boolean }, fromQueue: boolean): string {
  if (outcome.status === 'planned')
    return fromQueue ? 'planned (dry run), left in the queue' : 'planned (dry run)';
  if (!fromQueue)
    return outcome.status === 'replayed' ? 'replayed' : `not replayed: ${outcome.reason ?? ''}`;
  if (outcome.status === 'replayed' && outcome.deleted === true) return 'replayed and deleted';
  return `kept: ${outcome.reason ?? ''}`;
}

/**
 * Whether an outcome is done with: replayed (and, from a queue, deleted) or planned.
 *
 * @example
 * const code = outcomes.every((outcome) => isDone(outcome, true)) ? 0 : 1;
 */
export function isDone(
  outcome: ReplayOutcome & { deleted?: boolean },
  fromQueue: boolean,
): boolean {
  if (outcome.status === 'planned') return true;
  return outcome.status === 'replayed' && (!fromQueue || outcome.deleted === true);
}

/**
 * One message as text: its name, function and event count, what came of it, then the events a
 * rule matched with their actions. Control characters from the message are escaped.
 *
 * @example
 * output.out(describeOutcome(outcome, true)); // 'message 0f3c…: ec2State, 1 event: replayed and deleted'
 */
export function describeOutcome(
  outcome: ReplayOutcome & { deleted?: boolean },
  fromQueue: boolean,
): string {
  const about =
    outcome.function === undefined
      ? ''
      : ` ${outcome.function}, ${plural(outcome.events, 'event')}:`;
  const lines = [escapeControls(`${outcome.where}:${about} ${verdict(outcome, fromQueue)}`)];
  const report = outcome.report;
  if (report !== undefined && report.events.some((event) => event.matches.length > 0))
    lines.push(
      ...describeEvents(report, { matchesOnly: true })
        .split('\n')
        .filter((line) => !line.startsWith('read s3://'))
        .map((line) => `  ${line}`),
    );
  return lines.join('\n');
}

/**
 * The closing lines of a replay: how many messages came to what, the actions by status, and
 * where they were recorded (or that a dry run recorded and deleted nothing).
 *
 * @example
 * output.out(describeReplay(outcomes, { queue: url }, { dryRun: false, ledger: 'DynamoDB table steward-prod-ledger' }));
 */
export function describeReplay(
  outcomes: readonly (ReplayOutcome & { deleted?: boolean })[],
  source: ReplaySource,
  run: { dryRun: boolean; ledger?: string },
): string {
  const fromQueue = 'queue' in source;
  const done = outcomes.filter((outcome) => isDone(outcome, fromQueue)).length;
  const doneWords = run.dryRun ? 'planned' : fromQueue ? 'replayed and deleted' : 'replayed';
  const notDone = fromQueue ? 'kept' : 'not replayed';
  const origin = fromQueue ? source.queue : plural(source.files.length, 'file');
  const actions = new Map<string, number>();
  for (const outcome of outcomes)
    for (const event of outcome.report?.events ?? [])
      for (const match of event.matches)
        for (const action of match.actions)
          actions.set(action.status, (actions.get(action.status) ?? 0) + 1);
  const tally = [...actions]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  const lines = [
    `${plural(outcomes.length, 'message')} from ${origin}: ${done} ${doneWords}, ${outcomes.length - done} ${notDone}`,
    `actions by status: ${tally || 'none'}`,
    run.dryRun
      ? `dry run: nothing recorded${fromQueue ? ', nothing deleted, every message received is visible in the queue again' : ''}`
      : `live; ledger: ${run.ledger ?? '-'}`,
  ];
  return lines.map(escapeControls).join('\n');
}
