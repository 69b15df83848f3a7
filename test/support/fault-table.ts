import type { FaultKind } from './aws-calls.js';
import type { DeliveryStory } from './lambda-delivery.js';

/**
 * How long a cell's fault lasts: `once` (the first such request), `always` (every one until the
 * DLQ replay: an outage over by the time the event is replayed) or `forever` (the replay meets
 * it too).
 */
export type FaultDuration = 'once' | 'always' | 'forever';

/** One cell of the fault table: a fault at a call. */
export interface FaultCell {
  fault: FaultKind | 'none';
  call: string;
  times: FaultDuration;
}

/** What became of one planned action after the last delivery. */
export interface ActionResult {
  /** A short name: `revoke`, `tags`. */
  name: string;
  status: string;
  /** Mutating calls the AWS API applied for it; undefined for actions only the ledger sees. */
  applied?: number;
  detail?: string;
  /** The word of the fault's error in a `failed` record, e.g. `RequestLimitExceeded`. */
  failedWith?: string;
}

/** Everything a cell observed, to be told in a row of the table. */
export interface CellObservation {
  cell: FaultCell;
  /** One per concurrent delivery of the event. */
  stories: readonly DeliveryStory[];
  actions: readonly ActionResult[];
  /** Who retried the faulted call inside the invocation: the SDK (ledger calls) or steward (AWS calls). */
  retriedBy: 'the SDK' | 'steward';
  /** True when a claim was released (its lease ended early) during the deliveries. */
  released: boolean;
}

/** The kinds of the errors a failed invocation reported, or its message. */
function reasonOf(error: Error | undefined): string {
  const report = (error as (Error & { report?: { errors?: { kind: string }[] } }) | undefined)
    ?.report;
  const kinds = [...new Set(report?.errors?.map((reported) => reported.kind) ?? [])];
  return kinds.length > 0 ? kinds.join(', ') : (error?.message ?? '').slice(0, 80);
}

function clip(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').replace(/\|/g, '\\|');
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

/** Which delivery finished the event: `first delivery`, `retry 1`, `DLQ replay`, or none. */
function finishedBy(observation: CellObservation): string {
  const story = observation.stories[0];
  if (story === undefined) return 'not delivered';
  if (story.inDeadLetterQueue) return 'left in the DLQ';
  const last = story.invocations[story.invocations.length - 1];
  return last === undefined || last.name === 'delivery' ? 'first delivery' : last.name;
}

/**
 * The short outcome of a cell for the matrix: which delivery finished the event, and what
 * became of its actions when that was anything but each executed once.
 *
 * @example
 * summarize(observation); // 'retry 1: once'
 */
export function summarize(observation: CellObservation): string {
  const when = finishedBy(observation);
  if (when === 'left in the DLQ') return when;
  const notes = observation.actions.flatMap((action) => {
    if (action.status === 'failed') return [`${action.name} failed (${action.failedWith ?? '?'})`];
    if (action.status === 'skipped') return [`${action.name} once, recorded skipped`];
    if (action.applied !== undefined && action.applied > 1)
      return [`${action.name} applied ×${action.applied}`];
    return [];
  });
  return `${when}: ${notes.length > 0 ? notes.join(', ') : 'once'}`;
}

/**
 * The whole story of a cell: how each delivery went, and each action's status, applied calls
 * and recorded reason.
 *
 * @example
 * describeCell(observation); // 'delivery failed (unknown-outcome, claim released); retry 1 completed — revoke succeeded (applied ×1)'
 */
export function describeCell(observation: CellObservation): string {
  const story = observation.stories[0];
  const failed = story?.invocations.filter((invocation) => invocation.error) ?? [];
  const released = observation.released ? ', claim released' : '';
  const deliveries =
    failed.length === 0
      ? observation.cell.fault === 'none'
        ? 'first delivery'
        : `retried within the invocation (by ${observation.retriedBy})`
      : story?.inDeadLetterQueue
        ? `every delivery failed (${reasonOf(failed[failed.length - 1]?.error)}): left in the DLQ`
        : `${failed.map((invocation) => invocation.name).join(', ')} failed (${reasonOf(failed[0]?.error)}${released}); ` +
          `${story?.invocations[story.invocations.length - 1]?.name} completed`;
  const actions = observation.actions.map(({ name, status, applied, detail }) => {
    const count = applied === undefined ? '' : ` (applied ×${applied})`;
    const why = status === 'failed' || status === 'skipped' ? `: ${clip(detail ?? '', 60)}` : '';
    return `${name} ${status}${count}${why}`;
  });
  const concurrent = observation.stories.length > 1 ? 'two concurrent deliveries; ' : '';
  return `${concurrent}${deliveries} — ${actions.join('; ')}`;
}

const faultHeadings: Record<FaultKind, string> = {
  throttle: 'throttling',
  'server-error': 'server error (500)',
  timeout: 'timeout',
  drop: 'dropped response',
};

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

/**
 * The markdown of a run: the matrix of one-off faults (call × fault → short outcome), the
 * faults that persist, and every cell's whole story.
 *
 * @example
 * await writeFile(file, renderFaultTable(observations, ['throttle', 'drop']));
 */
export function renderFaultTable(
  observations: readonly CellObservation[],
  faults: readonly FaultKind[],
): string {
  const once = observations.filter(({ cell }) => cell.fault !== 'none' && cell.times === 'once');
  const calls = [...new Set(once.map(({ cell }) => cell.call))];
  const matrix = calls.map((call) => [
    `\`${call}\``,
    ...faults.map((fault) => {
      const found = once.find(({ cell }) => cell.call === call && cell.fault === fault);
      return found ? summarize(found) : '-';
    }),
  ]);
  const persisting = observations
    .filter(({ cell }) => cell.times !== 'once')
    .map((observation) => [
      faultHeadings[observation.cell.fault as FaultKind],
      `\`${observation.cell.call}\``,
      observation.cell.times === 'always' ? 'until the DLQ replay' : 'through the DLQ replay',
      summarize(observation),
    ]);
  const every = observations.map((observation) => [
    observation.cell.fault,
    observation.cell.call,
    observation.cell.fault === 'none' ? '-' : observation.cell.times,
    describeCell(observation),
  ]);
  return [
    '### One fault, once',
    '',
    ...table(['call', ...faults.map((fault) => faultHeadings[fault])], matrix),
    '',
    '### Faults that last',
    '',
    ...table(['fault', 'call', 'lasts', 'outcome'], persisting),
    '',
    '### Every cell',
    '',
    ...table(['fault', 'call', 'lasts', 'outcome'], every),
    '',
  ].join('\n');
}
