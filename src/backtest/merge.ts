import { emptyCounts, mergeCountedValues } from './counted-values.js';
import { mergeErrors } from './kept-errors.js';
import {
  maxSamplesKept,
  type BacktestQuery,
  type BacktestReport,
  type BacktestTotals,
  type RuleResult,
  type SampleEvent,
} from './report.js';

/**
 * Two reports that cannot be merged: made by another version of steward, for other rules, or
 * for another query. `what` says which, the message how they differ.
 *
 * @example
 * try { mergeReports(a, b); } catch (error) { if (error instanceof ReportMismatchError) console.error(error.what); }
 */
export class ReportMismatchError extends Error {
  constructor(
    readonly what: 'version' | 'rules' | 'query',
    message: string,
  ) {
    super(message);
    this.name = 'ReportMismatchError';
  }
}

/**
 * The report of a backtest that has read nothing yet: every rule the query covers (all of
 * `rules`, or those `query.ruleIds` names), in their order, with nothing counted. Merging it
 * with any report of the same query and rules gives that report.
 *
 * @example
 * let total = emptyReport(query, rules);
 * for (const part of parts) total = mergeReports(total, part);
 */
export function emptyReport(
  query: BacktestQuery,
  rules: readonly { id: string; mode: string }[],
): BacktestReport {
  const chosen =
    query.ruleIds === undefined ? rules : rules.filter((rule) => query.ruleIds?.includes(rule.id));
  return {
    version: 1,
    query,
    totals: emptyTotals(),
    rules: chosen.map((rule) => emptyRuleResult(rule.id, rule.mode)),
    errors: [],
    moreErrors: 0,
  };
}

/**
 * Totals with nothing counted.
 *
 * @example
 * emptyTotals().records; // 0
 */
export function emptyTotals(): BacktestTotals {
  return {
    files: 0,
    unreadableFiles: 0,
    bytes: 0,
    records: 0,
    badRecords: 0,
    filteredOut: 0,
    events: 0,
    matchedEvents: 0,
  };
}

/**
 * A rule's result with nothing counted.
 *
 * @example
 * emptyRuleResult('ec2-open-ssh', 'enforce').matches; // 0
 */
export function emptyRuleResult(rule: string, mode: string): RuleResult {
  return {
    rule,
    mode,
    matches: 0,
    plannedActions: {},
    resources: emptyCounts(),
    actors: emptyCounts(),
    perDay: {},
    needsLiveState: 0,
    liveFacts: [],
    evaluationErrors: 0,
    samples: [],
  };
}

/**
 * Two partial results of one backtest as one: counts added, first and last times widened,
 * samples and errors the first of both. Pure, commutative and associative, so partial results
 * merge in any order and grouping to the same report. Reports of another version, rule list or
 * query are a `ReportMismatchError`.
 *
 * @example
 * const total = parts.reduce(mergeReports, emptyReport(query, rules));
 */
export function mergeReports(a: BacktestReport, b: BacktestReport): BacktestReport {
  if (a.version !== b.version)
    throw new ReportMismatchError(
      'version',
      `cannot merge a version ${String(a.version)} report with a version ${String(b.version)} one`,
    );
  const aRules = a.rules.map((rule) => `${rule.rule} (${rule.mode})`).join(', ');
  const bRules = b.rules.map((rule) => `${rule.rule} (${rule.mode})`).join(', ');
  if (aRules !== bRules)
    throw new ReportMismatchError(
      'rules',
      `cannot merge reports of different rules: [${aRules}] and [${bRules}]`,
    );
  const aQuery = canonicalJson(a.query);
  const bQuery = canonicalJson(b.query);
  if (aQuery !== bQuery)
    throw new ReportMismatchError(
      'query',
      `cannot merge reports of different queries: ${aQuery} and ${bQuery}`,
    );
  return {
    version: a.version,
    // Either report's query, keys in order: the same whichever way round the two were given.
    query: JSON.parse(aQuery) as BacktestQuery,
    totals: mergeTotals(a.totals, b.totals),
    rules: a.rules.map((rule, i) => mergeRuleResults(rule, b.rules[i] as RuleResult)),
    ...mergeErrors(a.errors, a.moreErrors, b.errors, b.moreErrors),
  };
}

/**
 * Two reports' totals as one: counts added, first and last event widened.
 *
 * @example
 * mergeTotals(a.totals, b.totals).records; // a's records plus b's
 */
export function mergeTotals(a: BacktestTotals, b: BacktestTotals): BacktestTotals {
  const firstEvent = earlier(a.firstEvent, b.firstEvent);
  const lastEvent = later(a.lastEvent, b.lastEvent);
  return {
    files: a.files + b.files,
    unreadableFiles: a.unreadableFiles + b.unreadableFiles,
    bytes: a.bytes + b.bytes,
    records: a.records + b.records,
    badRecords: a.badRecords + b.badRecords,
    filteredOut: a.filteredOut + b.filteredOut,
    events: a.events + b.events,
    matchedEvents: a.matchedEvents + b.matchedEvents,
    ...(firstEvent === undefined ? {} : { firstEvent }),
    ...(lastEvent === undefined ? {} : { lastEvent }),
  };
}

function mergeRuleResults(a: RuleResult, b: RuleResult): RuleResult {
  const firstSeen = earlier(a.firstSeen, b.firstSeen);
  const lastSeen = later(a.lastSeen, b.lastSeen);
  return {
    rule: a.rule,
    mode: a.mode,
    matches: a.matches + b.matches,
    plannedActions: addCounts(a.plannedActions, b.plannedActions),
    resources: mergeCountedValues(a.resources, b.resources),
    actors: mergeCountedValues(a.actors, b.actors),
    ...(firstSeen === undefined ? {} : { firstSeen }),
    ...(lastSeen === undefined ? {} : { lastSeen }),
    perDay: addCounts(a.perDay, b.perDay),
    needsLiveState: a.needsLiveState + b.needsLiveState,
    liveFacts: [...new Set([...a.liveFacts, ...b.liveFacts])].sort(),
    evaluationErrors: a.evaluationErrors + b.evaluationErrors,
    samples: [...a.samples, ...b.samples].sort(sampleOrder).slice(0, maxSamplesKept),
  };
}

/**
 * The order samples are kept in: by time, then event id, then where the record was read.
 *
 * @example
 * samples.sort(sampleOrder).slice(0, maxSamplesKept); // the earliest
 */
export function sampleOrder(a: SampleEvent, b: SampleEvent): number {
  return compareText(a.time, b.time) || compareText(a.id, b.id) || compareText(a.where, b.where);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Counts by key, added, in key order (so the JSON of a merge is the same either way round). */
function addCounts(
  a: Readonly<Record<string, number>>,
  b: Readonly<Record<string, number>>,
): Record<string, number> {
  const sums = new Map<string, number>(Object.entries(a));
  for (const [key, count] of Object.entries(b)) sums.set(key, (sums.get(key) ?? 0) + count);
  return Object.fromEntries([...sums].sort(([x], [y]) => compareText(x, y)));
}

/** Times in a report are ISO 8601 in UTC, all of one length, so text order is time order. */
function earlier(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined || a <= b ? a : b;
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  return a === undefined ? b : b === undefined || a >= b ? a : b;
}

/** JSON with object keys in order, so two equal queries compare equal however they were built. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>).sort(([x], [y]) => compareText(x, y)),
        )
      : inner,
  );
}
