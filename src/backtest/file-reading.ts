import type { Acting } from '../acting.js';
import { processMatch } from '../pipeline.js';
import type { PipelineError } from '../report.js';
import type { EvaluationOptions, RuleVerdict } from '../rules/evaluate.js';
import type { RuleIndex } from '../rules/rule-index.js';
import type { CompiledRule } from '../rules/rule.js';
import { isSourceError } from '../sources/batch.js';
import { normalizeCloudTrailRecord, type CloudTrailDefaults } from '../sources/cloudtrail.js';
import { CLOUDTRAIL_KEY_LAYOUT, classifyCloudTrailKey } from '../sources/cloudtrail-key.js';
import type { CloudTrailLogKey } from '../sources/cloudtrail-key.js';
import type { SourceLimits } from '../sources/limits.js';
import { LogFileError } from '../sources/log-file-errors.js';
import { foreignRecord, scanLogFileChunks, type ParsedRecord } from '../sources/record-stream.js';
import type { DeliveryPath, StewardEvent } from '../sources/steward-event.js';
import type { EventFilter } from './event-filter.js';
import { isTrailTime } from './event-time.js';
import type { LogFileRef } from './log-file-ref.js';
import { emptyTotals } from './merge.js';
import type { BacktestError, BacktestQuery, BacktestTotals } from './report.js';
import type { RuleTally } from './rule-tally.js';

/** What the evaluations of every file share: made once per evaluator. */
export interface Shared {
  rules: readonly CompiledRule[];
  index: RuleIndex;
  filter: EventFilter;
  query: BacktestQuery;
  options: EvaluationOptions;
  acting: Acting;
  limits: SourceLimits;
  explain: (event: StewardEvent, rule: CompiledRule) => Promise<string[]>;
}

/** How one log file is decoded: as `steward run` reads a local file, or as the handler reads S3. */
export interface Reading {
  delivery: DeliveryPath;
  logKey?: CloudTrailLogKey;
  /** What a record of the file lacks is taken from its key: its account and region. */
  defaults: CloudTrailDefaults;
  what: string;
}

/** What a file being read feeds in the batch it belongs to. */
export interface BatchCounts {
  /** The rule's tally, made when the rule first has something to count. */
  tallyOf(rule: CompiledRule): RuleTally;
  error(error: BacktestError): void;
  eventAt(time: string, ms: number | undefined): void;
}

/**
 * How a log file is decoded: a local file as `steward run` reads it, an S3 object as the
 * handler does (only under CloudTrail's key layout, whose account and region its records
 * default to); an error for any other key.
 *
 * @example
 * const reading = readingOf({ kind: 'file', path: 'trail.json.gz' }); // { delivery: 'direct', … }
 */
export function readingOf(ref: LogFileRef): Reading | { error: string } {
  if (ref.kind === 'file') return { delivery: 'direct', defaults: {}, what: 'file' };
  const logKey = classifyCloudTrailKey(ref.key);
  if (logKey.kind !== 'log-file')
    return {
      error: `not read: its key is not where CloudTrail writes log files (${CLOUDTRAIL_KEY_LAYOUT})`,
    };
  return {
    delivery: 's3',
    logKey,
    defaults: { account: logKey.account, region: logKey.region },
    what: 'S3 object',
  };
}

/**
 * One log file being read into a batch: its records decoded as the handlers decode them, each
 * looked up in the rule index, the firing rules' actions planned; its own counts kept, the
 * batch's tallies, errors and time range fed.
 *
 * @example
 * const file = new FileReading(shared, batch, 'trail.json.gz');
 * await file.read(chunks, reading);
 */
export class FileReading {
  /** The file's own totals, its first and last event left to the batch's time range. */
  readonly counts: BacktestTotals = emptyTotals();
  failed = false;

  constructor(
    private readonly parts: Shared,
    private readonly batch: BatchCounts,
    readonly where: string,
  ) {}

  unreadable(message: string): void {
    this.failed = true;
    this.batch.error({ where: this.where, message });
  }

  async read(chunks: AsyncIterable<Uint8Array>, reading: Reading): Promise<void> {
    const scanned = scanLogFileChunks(
      this.counted(chunks),
      this.where,
      this.parts.limits,
      reading.what,
    );
    for await (const items of scanned)
      for (const item of items) {
        // Most records are calls no rule fires on: they cost no promise.
        const pending = this.take(item, reading);
        if (pending !== undefined) await pending;
      }
  }

  /** One item of the file: a record decoded and evaluated, or a problem counted. */
  private take(item: ParsedRecord | LogFileError, reading: Reading): Promise<void> | undefined {
    const { where } = this;
    if (item instanceof LogFileError) {
      if (item.fatal) this.unreadable(item.message);
      else this.badRecord(item.where, item.message);
      return undefined;
    }
    const { logKey } = reading;
    const foreign = logKey === undefined ? undefined : foreignRecord(item.value, logKey, where);
    // The file's name stands in for the record's until an error needs the record named.
    const result =
      foreign ?? normalizeCloudTrailRecord(item.value, reading.delivery, where, reading.defaults);
    if (isSourceError(result)) {
      this.badRecord(recordWhere(where, item.index), result.message);
      return undefined;
    }
    return this.evaluateEvent(result, item.index);
  }

  /** The event's evaluation; a promise only when a rule fired or a verdict is pending. */
  private evaluateEvent(event: StewardEvent, index: number): Promise<void> | undefined {
    // Most event times are CloudTrail's own text, compared as it is; any other is parsed.
    const ms = isTrailTime(event.time) ? undefined : Date.parse(event.time);
    if (Number.isNaN(ms)) {
      this.badRecord(
        recordWhere(this.where, index),
        `eventTime ${JSON.stringify(event.time)} is not an ISO 8601 time`,
      );
      return undefined;
    }
    this.counts.records += 1;
    if (!this.parts.filter.admits(event, ms)) {
      this.counts.filteredOut += 1;
      return undefined;
    }
    this.counts.events += 1;
    this.batch.eventAt(event.time, ms);
    const found = this.parts.index.matchNow(event, this.parts.options);
    if (Array.isArray(found) && found.length === 0) return undefined;
    const time = ms ?? Date.parse(event.time);
    const where = recordWhere(this.where, index);
    return Array.isArray(found)
      ? this.tally(event, time, where, found)
      : found.then((verdicts) => this.tally(event, time, where, verdicts));
  }

  /** What the rules that fired or failed on the event would have done. */
  private async tally(
    event: StewardEvent,
    time: number,
    where: string,
    verdicts: readonly RuleVerdict[],
  ): Promise<void> {
    let matched = false;
    for (const verdict of verdicts) {
      const tally = this.batch.tallyOf(verdict.rule);
      if (verdict.liveFact !== undefined) tally.neededLiveState(verdict.liveFact);
      else if (verdict.error !== undefined) {
        tally.failed();
        this.batch.error({
          where,
          message: `rule ${verdict.rule.id} could not be evaluated: ${verdict.error}`,
        });
      } else if (verdict.fires) {
        matched = true;
        const problems: PipelineError[] = [];
        const match = await processMatch(
          event,
          verdict.rule,
          undefined,
          this.parts.acting,
          problems,
        );
        for (const problem of problems) {
          tally.failed();
          this.batch.error({ where, message: problem.message });
        }
        tally.matched(event, time, match.actions, where);
      }
    }
    if (matched) this.counts.matchedEvents += 1;
  }

  private badRecord(where: string, message: string): void {
    this.counts.badRecords += 1;
    this.batch.error({ where, message });
  }

  /** The chunks, their bytes counted as they pass. */
  private async *counted(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      this.counts.bytes += chunk.length;
      yield chunk;
    }
  }
}

function recordWhere(file: string, index: number): string {
  return `${file}: Records[${index}]`;
}
