import { planOnly } from '../acting.js';
import { clientPoolFromEnv } from '../client-pool.js';
import { messageOf } from '../errors.js';
import { evaluateRules } from '../rules/evaluate.js';
import { explainVerdict, explanationLines } from '../rules/explain.js';
import { RuleIndex } from '../rules/rule-index.js';
import type { CompiledRule } from '../rules/rule.js';
import { sourceLimits } from '../sources/limits.js';
import type { StewardEvent } from '../sources/steward-event.js';
import { BacktestQueryError, EventFilter } from './event-filter.js';
import { TimeRange } from './event-time.js';
import { FileReading, readingOf, type BatchCounts, type Shared } from './file-reading.js';
import { ErrorKeeper } from './kept-errors.js';
import { logFileName, type LogFileRef } from './log-file-ref.js';
import { emptyReport, emptyTotals, mergeTotals } from './merge.js';
import type {
  BacktestError,
  BacktestQuery,
  BacktestReport,
  BacktestTotals,
  RuleResult,
} from './report.js';
import { RuleTally } from './rule-tally.js';

/** What a `LogFileEvaluator` is made with. */
export interface LogFileEvaluatorOptions {
  /** The whole pack; `query.ruleIds` picks the rules evaluated. */
  rules: readonly CompiledRule[];
  query: BacktestQuery;
  /** Lazy fact values (a `--facts` file); a lazy fact without one needs live state. */
  factStubs?: Readonly<Record<string, unknown>>;
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
   * A batch of files whose results are counted together and reported once: what a worker
   * evaluating many files uses, so that a file costs no report of its own.
   */
  batch(): EvaluationBatch {
    return new EvaluationBatch(this.shared);
  }

  /**
   * The report of one log file, gzipped or not, from its bytes as they are read: a batch of
   * that file alone. Never rejects (see `EvaluationBatch.add`).
   */
  async evaluate(ref: LogFileRef, chunks: AsyncIterable<Uint8Array>): Promise<BacktestReport> {
    const batch = this.batch();
    await batch.add(ref, chunks);
    return batch.report();
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

/** What reading one file of a batch found: enough for progress, before any report. */
export interface FileRead {
  records: number;
  bytes: number;
  unreadable: boolean;
}

/**
 * The evaluation of any number of log files, counted together: one tally per rule that had
 * something to count, one error list, one time range, and a report only when asked for.
 * `report()` is what merging each file's own report would give (counts add, the values and
 * samples kept are the first of all), at the cost of one report instead of one per file:
 * samples are explained once, counts capped once. Files may be read one after another or at
 * once; memory holds each file's records being read and the batch's samples.
 *
 * @example
 * const batch = evaluator.batch();
 * for (const ref of refs) await batch.add(ref, logFileChunks(ref, s3));
 * const report = await batch.report();
 */
export class EvaluationBatch implements BatchCounts {
  private readonly tallies = new Map<CompiledRule, RuleTally>();
  private readonly errors = new ErrorKeeper();
  private readonly range = new TimeRange();
  private totals: BacktestTotals = emptyTotals();
  private readonly names: string[] = [];

  constructor(private readonly parts: Shared) {}

  /** Files added so far. */
  get files(): number {
    return this.names.length;
  }

  /**
   * Reads one file into the batch. Never rejects: a file that cannot be read (missing, not
   * gzip or JSON, truncated) counts as unreadable, with an error naming it, after whatever
   * records came before the problem; a bad record is an error naming file and record, and
   * the others go on.
   */
  async add(ref: LogFileRef, chunks: AsyncIterable<Uint8Array>): Promise<FileRead> {
    const file = new FileReading(this.parts, this, logFileName(ref));
    this.names.push(file.where);
    try {
      const reading = readingOf(ref);
      if ('error' in reading) file.unreadable(reading.error);
      else await file.read(chunks, reading);
    } catch (error) {
      file.unreadable(`evaluation stopped: ${messageOf(error)}`);
    }
    const { counts } = file;
    counts.files = file.failed ? 0 : 1;
    counts.unreadableFiles = file.failed ? 1 : 0;
    this.totals = mergeTotals(this.totals, counts);
    return { records: counts.records, bytes: counts.bytes, unreadable: file.failed };
  }

  /** The batch's report. Never rejects: should explaining fail, every file is unreadable. */
  async report(): Promise<BacktestReport> {
    try {
      return await this.built();
    } catch (error) {
      const empty = emptyReport(this.parts.query, this.parts.rules);
      const message = `evaluation stopped: ${messageOf(error)}`;
      const errors = new ErrorKeeper();
      for (const where of this.names) errors.add({ where, message });
      return {
        ...empty,
        totals: { ...empty.totals, unreadableFiles: this.names.length },
        ...errors.kept(),
      };
    }
  }

  /** The rule's tally, made when the rule first has something to count: most never do. */
  tallyOf(rule: CompiledRule): RuleTally {
    let tally = this.tallies.get(rule);
    if (tally === undefined) {
      tally = new RuleTally(rule);
      this.tallies.set(rule, tally);
    }
    return tally;
  }

  error(error: BacktestError): void {
    this.errors.add(error);
  }

  eventAt(time: string, ms: number | undefined): void {
    this.range.add(time, ms);
  }

  private async built(): Promise<BacktestReport> {
    const { query, rules, explain } = this.parts;
    const report = emptyReport(query, rules);
    const first = this.range.first();
    const last = this.range.last();
    const results = [];
    for (const [i, rule] of rules.entries()) {
      const tally = this.tallies.get(rule);
      results.push(
        tally === undefined
          ? (report.rules[i] as RuleResult)
          : await tally.result((event) => explain(event, rule)),
      );
    }
    return {
      ...report,
      totals: {
        ...this.totals,
        ...(first === undefined ? {} : { firstEvent: first }),
        ...(last === undefined ? {} : { lastEvent: last }),
      },
      rules: results,
      ...this.errors.kept(),
    };
  }
}
