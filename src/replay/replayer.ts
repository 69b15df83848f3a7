import { messageOf } from '../errors.js';
import {
  mustRedeliver,
  planBatch,
  processBatch,
  type EvaluationContext,
  type PipelineContext,
  type PipelineError,
  type PipelineReport,
} from '../pipeline.js';
import { isObject, stringAt } from '../json/fields.js';
import { decodeDocument } from '../sources/index.js';
import {
  DeadLetterError,
  parseInvocationRecord,
  type InvocationRecord,
  type StackFunction,
} from './invocation-record.js';

/** A dead-lettered message to replay: as SQS holds it (JSON text) or as a file held it (parsed). */
export interface DeadLetter {
  /** Names the message in reports and errors: `message <id>`, `dlq.json: record 2`. */
  where: string;
  /** SQS's message id, when the message came from a queue or an export of one. */
  messageId?: string;
  body: { text: string } | { value: unknown };
}

/**
 * What came of one message. `replayed`: every event was recorded in the ledger (actions
 * already done report `duplicate`); `planned`: a dry run, nothing recorded; `failed`: the
 * message could not be replayed, or an event must be delivered again (`reason` says why).
 */
export interface ReplayOutcome {
  where: string;
  messageId?: string;
  function?: StackFunction;
  /** The failed invocation's request id and last error, as Lambda recorded them. */
  requestId?: string;
  lastError?: string;
  /** Events in the payload (a log file's records included). */
  events: number;
  status: 'replayed' | 'planned' | 'failed';
  reason?: string;
  report?: PipelineReport;
}

/** How many of a message's must-redeliver errors its reason names (the report has them all). */
const reasonsListed = 1;

function eventCount(report: PipelineReport): number {
  return report.objects.reduce(
    (sum, object) => sum + (object.unmatched ?? 0),
    report.events.length,
  );
}

function redeliveryReason(failing: readonly PipelineError[]): string {
  const listed = failing.slice(0, reasonsListed).map((error) => `${error.where}: ${error.message}`);
  if (failing.length > reasonsListed) listed.push(`and ${failing.length - reasonsListed} more`);
  return `${failing.length} event(s) or action(s) must be delivered again: ${listed.join('; ')}`;
}

/**
 * Runs dead-lettered invocation records through the pipeline their function runs: the payload
 * decoded as it came from AWS (it did: only the stack's functions may send to the queue), then
 * every event recorded in the ledger, so the actions already done report `duplicate` and the
 * others run once. A dry run plans instead, and neither reads nor writes the ledger. Never
 * rejects: a message that cannot be replayed is a `failed` outcome saying why.
 *
 * @example
 * const replayer = new Replayer({ context: runtime });
 * const outcome = await replayer.replay({ where: 'message 1', body: { text: message.Body } });
 * if (outcome.status === 'replayed') await queue.delete(message);
 */
export class Replayer {
  constructor(
    private readonly target:
      { dryRun?: false; context: PipelineContext } | { dryRun: true; context: EvaluationContext },
  ) {}

  /** True when this replayer only plans: nothing recorded, so nothing may be deleted. */
  get dryRun(): boolean {
    return this.target.dryRun === true;
  }

  /** One message replayed (or planned), and what came of it. */
  async replay(letter: DeadLetter): Promise<ReplayOutcome> {
    const base = {
      where: letter.where,
      ...(letter.messageId === undefined ? {} : { messageId: letter.messageId }),
    };
    let record: InvocationRecord;
    try {
      record = parseInvocationRecord(letter.body, letter.where);
    } catch (error) {
      return { ...base, events: 0, status: 'failed', reason: messageOf(error) };
    }
    const known = {
      ...base,
      function: record.function,
      ...(record.requestId === undefined ? {} : { requestId: record.requestId }),
      ...(record.lastError === undefined ? {} : { lastError: record.lastError }),
    };
    try {
      const report = await this.run(record, `${letter.where}: requestPayload`);
      const events = eventCount(report);
      const failing = report.errors.filter(mustRedeliver);
      if (failing.length > 0)
        return { ...known, events, status: 'failed', reason: redeliveryReason(failing), report };
      return { ...known, events, status: this.target.dryRun ? 'planned' : 'replayed', report };
    } catch (error) {
      return { ...known, events: 0, status: 'failed', reason: messageOf(error) };
    }
  }

  private async run(record: InvocationRecord, where: string): Promise<PipelineReport> {
    if (record.function === 'sweep') throw sweepNotReplayed(record.requestPayload, where);
    const { context } = this.target;
    const batch = decodeDocument(record.requestPayload, where, {
      trust: context.trust,
      origin: 'aws',
    });
    if (batch.events.length === 0 && batch.objects.length === 0 && batch.errors.length === 0)
      throw new DeadLetterError(`the requestPayload of ${record.function} holds no event`, where);
    return this.target.dryRun
      ? planBatch(batch, this.target.context)
      : processBatch(batch, this.target.context);
  }
}

/**
 * A sweep's payload names only its rule: what the sweep would find is what exists now, so it is
 * run again, not replayed, and the ledger makes what the failed sweep already did `duplicate`.
 */
function sweepNotReplayed(payload: unknown, where: string): DeadLetterError {
  const rule = isObject(payload) ? stringAt(payload, 'rule') : undefined;
  const command = `steward sweep ${rule ?? 'RULE'} --live`;
  return new DeadLetterError(
    `a sweep is not replayed from its payload, which names only ${rule === undefined ? 'a rule' : `the rule ${rule}`}: run \`${command}\` to sweep again (in the same period, what the failed sweep did is a duplicate)`,
    where,
  );
}
