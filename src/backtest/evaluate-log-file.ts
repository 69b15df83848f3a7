import { planOnly, type Acting } from '../acting.js';
import { clientPoolFromEnv } from '../client-pool.js';
import { messageOf } from '../errors.js';
import { processMatch } from '../pipeline.js';
import type { PipelineError } from '../report.js';
import type { EvaluationOptions, RuleVerdict } from '../rules/evaluate.js';
import { evaluateRules } from '../rules/evaluate.js';
import { explainVerdict, explanationLines } from '../rules/explain.js';
import { RuleIndex } from '../rules/rule-index.js';
import type { CompiledRule } from '../rules/rule.js';
import { isSourceError } from '../sources/batch.js';
import { normalizeCloudTrailRecord } from '../sources/cloudtrail.js';
import { CLOUDTRAIL_KEY_LAYOUT, classifyCloudTrailKey } from '../sources/cloudtrail-key.js';
import type { CloudTrailLogKey } from '../sources/cloudtrail-key.js';
import { sourceLimits, type SourceLimits } from '../sources/limits.js';
import { LogFileError } from '../sources/log-file-errors.js';
import { foreignRecord, scanLogFile } from '../sources/record-stream.js';
import type { DeliveryPath, StewardEvent } from '../sources/steward-event.js';
import { BacktestQueryError, EventFilter } from './event-filter.js';
import { isTrailTime, TimeRange } from './event-time.js';
import { ErrorKeeper } from './kept-errors.js';
import { logFileName, type LogFileRef } from './log-file-ref.js';
import { emptyReport } from './merge.js';
import type { BacktestQuery, BacktestReport } from './report.js';
import { RuleTally } from './rule-tally.js';

/** What a `LogFileEvaluator` is made with. */
export interface LogFileEvaluatorOptions {
  /** The whole pack; `query.ruleIds` picks the rules evaluated. */
  rules: readonly CompiledRule[];
  query: BacktestQuery;
  /** Lazy fact values (a `--facts` file); a lazy fact without one needs live state. */
  factStubs?: Readonly<Record<string, unknown>>;
}

/** What the evaluations of every file share: made once per evaluator. */
interface Shared {
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
interface Reading {
  delivery: DeliveryPath;
  logKey?: CloudTrailLogKey;
  what: string;
}

/**
 * What a backtest computes for one CloudTrail log file: every record decoded as the handlers
 * decode it (an S3 object as the `cloudtrailLogs` function reads it, a local file as
 * `steward run` does), looked up in the same rule index, evaluated with the same conditions,
 * and each firing rule's actions planned as `planBatch` plans them; nothing is executed and
 * no ledger is touched. Lazy facts are never fetched: a stub answers, or the event counts in
 * the rule's `needsLiveState`. Holds one file's records at a time, and of them only the few
 * kept as samples.
 *
 * @example
 * const evaluator = new LogFileEvaluator({ rules: await loadRules('rules'), query });
 * const report = await evaluator.evaluate(ref, logFileChunks(ref, s3));
 */
export class LogFileEvaluator {
  private readonly shared: Shared;
  private readonly stubs?: Readonly<Record<string, unknown>>;

  /** Throws a `BacktestQueryError` for a query that cannot run (a bad time, an unknown rule). */
  constructor(options: LogFileEvaluatorOptions) {
    const { query, factStubs } = options;
    const named = query.ruleIds;
    if (named !== undefined) {
      const unknown = named.filter((id) => !options.rules.some((rule) => rule.id === id));
      if (unknown.length > 0)
        throw new BacktestQueryError(`rule ${unknown.join(', ')}: not in the rule pack`);
    }
    const rules =
      named === undefined ? options.rules : options.rules.filter((rule) => named.includes(rule.id));
    const index = new RuleIndex(rules);
    this.stubs = factStubs;
    this.shared = {
      rules,
      index,
      filter: new EventFilter(query),
      query,
      options: factStubs === undefined ? {} : { stubs: factStubs },
      acting: planOnly({
        ruleIndex: index,
        clients: clientPoolFromEnv(process.env),
        live: false,
        readObjects: false,
      }),
      limits: sourceLimits(),
      explain: (event, rule) => this.explain(event, rule),
    };
  }

  /**
   * The report of one log file, gzipped or not, from its bytes as they are read. Never
   * rejects: a file that cannot be read (missing, not gzip or JSON, truncated) is
   * `unreadableFiles: 1` with an error naming it, after whatever records came before the
   * problem; a bad record is an error naming file and record, and the others go on.
   */
  async evaluate(ref: LogFileRef, chunks: AsyncIterable<Uint8Array>): Promise<BacktestReport> {
    const file = new FileEvaluation(this.shared, ref);
    try {
      const reading = readingOf(ref);
      if ('error' in reading) file.unreadable(reading.error);
      else await file.read(chunks, reading);
    } catch (error) {
      file.unreadable(`evaluation stopped: ${messageOf(error)}`);
    }
    return file.report();
  }

  /** `steward explain`'s lines for the rule on the event. */
  private async explain(event: StewardEvent, rule: CompiledRule): Promise<string[]> {
    const options = { explain: true, ...(this.stubs === undefined ? {} : { stubs: this.stubs }) };
    const [verdict] = await evaluateRules(event, [rule], options, this.shared.index.pack);
    if (verdict === undefined) return [];
    const explained = explainVerdict(verdict);
    return [
      ...(explained.error === undefined ? [] : [`error: ${explained.error}`]),
      ...(explained.conditions === undefined ? [] : explanationLines(explained.conditions)),
    ];
  }
}

function readingOf(ref: LogFileRef): Reading | { error: string } {
  if (ref.kind === 'file') return { delivery: 'direct', what: 'file' };
  const logKey = classifyCloudTrailKey(ref.key);
  if (logKey.kind !== 'log-file')
    return {
      error: `not read: its key is not where CloudTrail writes log files (${CLOUDTRAIL_KEY_LAYOUT})`,
    };
  return { delivery: 's3', logKey, what: 'S3 object' };
}

/** One log file's evaluation: its counts, its rules' tallies, its errors. */
class FileEvaluation {
  private readonly where: string;
  private readonly tallies = new Map<CompiledRule, RuleTally>();
  private readonly errors = new ErrorKeeper();
  private bytes = 0;
  private records = 0;
  private badRecords = 0;
  private filteredOut = 0;
  private events = 0;
  private matchedEvents = 0;
  private readonly range = new TimeRange();
  private failed = false;

  constructor(
    private readonly parts: Shared,
    ref: LogFileRef,
  ) {
    this.where = logFileName(ref);
    for (const rule of this.parts.rules) this.tallies.set(rule, new RuleTally(rule));
  }

  unreadable(message: string): void {
    this.failed = true;
    this.errors.add({ where: this.where, message });
  }

  async read(chunks: AsyncIterable<Uint8Array>, reading: Reading): Promise<void> {
    const { where } = this;
    const defaults =
      reading.logKey === undefined
        ? {}
        : { account: reading.logKey.account, region: reading.logKey.region };
    for await (const item of scanLogFile(
      this.counted(chunks),
      where,
      this.parts.limits,
      reading.what,
    )) {
      if (item instanceof LogFileError) {
        if (item.fatal) this.unreadable(item.message);
        else this.badRecord(item.where, item.message);
        continue;
      }
      const foreign =
        reading.logKey === undefined ? undefined : foreignRecord(item.value, reading.logKey, where);
      // The file's name stands in for the record's until an error needs the record named.
      const result =
        foreign ?? normalizeCloudTrailRecord(item.value, reading.delivery, where, defaults);
      if (isSourceError(result)) {
        this.badRecord(recordWhere(where, item.index), result.message);
        continue;
      }
      const pending = this.evaluateEvent(result, item.index);
      if (pending !== undefined) await pending;
    }
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
    this.records += 1;
    if (!this.parts.filter.admits(event, ms)) {
      this.filteredOut += 1;
      return undefined;
    }
    this.events += 1;
    this.range.add(event.time, ms);
    // Most records are calls no rule fires on: they cost no promise.
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
      const tally = this.tallies.get(verdict.rule) as RuleTally;
      if (verdict.liveFact !== undefined) tally.neededLiveState(verdict.liveFact);
      else if (verdict.error !== undefined) {
        tally.failed();
        this.errors.add({
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
          this.errors.add({ where, message: problem.message });
        }
        tally.matched(event, time, match.actions, where);
      }
    }
    if (matched) this.matchedEvents += 1;
  }

  private badRecord(where: string, message: string): void {
    this.badRecords += 1;
    this.errors.add({ where, message });
  }

  /** The chunks, their bytes counted as they pass. */
  private async *counted(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      this.bytes += chunk.length;
      yield chunk;
    }
  }

  async report(): Promise<BacktestReport> {
    const { query, rules, explain } = this.parts;
    const report = emptyReport(query, rules);
    const first = this.range.first();
    const last = this.range.last();
    const results = [];
    for (const tally of this.tallies.values())
      results.push(await tally.result((event) => explain(event, tally.rule)));
    return {
      ...report,
      totals: {
        files: this.failed ? 0 : 1,
        unreadableFiles: this.failed ? 1 : 0,
        bytes: this.bytes,
        records: this.records,
        badRecords: this.badRecords,
        filteredOut: this.filteredOut,
        events: this.events,
        matchedEvents: this.matchedEvents,
        ...(first === undefined ? {} : { firstEvent: first }),
        ...(last === undefined ? {} : { lastEvent: last }),
      },
      rules: results,
      ...this.errors.kept(),
    };
  }
}

function recordWhere(file: string, index: number): string {
  return `${file}: Records[${index}]`;
}
