import type { BacktestReport, CountedValues, RuleResult } from '../backtest/report.js';
import { escapeControls } from './escape.js';

const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function distinct(values: CountedValues): string {
  return `${wholeNumber.format(values.distinct)}${values.capped ? '+' : ''}`;
}

function ruleLines(rule: RuleResult): string[] {
  const lines = [`${rule.rule} (${rule.mode}): ${wholeNumber.format(rule.matches)} matches`];
  const planned = Object.entries(rule.plannedActions).sort(([a], [b]) => (a < b ? -1 : 1));
  if (planned.length > 0)
    lines.push(
      `  planned: ${planned.map(([action, count]) => `${action} ${wholeNumber.format(count)}`).join(', ')}`,
    );
  if (rule.matches > 0) {
    lines.push(
      `  ${distinct(rule.resources)} distinct resources, ${distinct(rule.actors)} distinct actors`,
    );
    lines.push(`  first seen ${rule.firstSeen ?? '?'}, last seen ${rule.lastSeen ?? '?'}`);
  }
  if (rule.needsLiveState > 0)
    lines.push(
      `  needs live state: ${wholeNumber.format(rule.needsLiveState)} events undecided without ${rule.liveFacts.join(', ')} (--facts FILE answers them)`,
    );
  if (rule.evaluationErrors > 0)
    lines.push(`  could not be evaluated: ${wholeNumber.format(rule.evaluationErrors)} events`);
  return lines;
}

/** How long this run took, and the records it read (a resumed checkpoint's not counted). */
export interface RunPace {
  elapsedMs: number;
  records: number;
}

/**
 * A backtest's report as people read it on a terminal: per rule that fired (or needed live
 * state), its matches, planned actions by type, distinct resources and actors, first and last
 * seen; then the rules that never fired, and the totals with the rate.
 *
 * @example
 * output.out(describeBacktest(run.report, { elapsedMs: run.elapsedMs, records: run.recordsThisRun }));
 */
export function describeBacktest(report: BacktestReport, pace: RunPace): string {
  const active = report.rules.filter(
    (rule) => rule.matches > 0 || rule.needsLiveState > 0 || rule.evaluationErrors > 0,
  );
  const silent = report.rules.filter((rule) => !active.includes(rule));
  const lines = active.flatMap(ruleLines);
  if (silent.length > 0) lines.push(`never fired: ${silent.map((rule) => rule.rule).join(', ')}`);
  const { totals } = report;
  const files = `${wholeNumber.format(totals.files)} files read${totals.unreadableFiles > 0 ? `, ${wholeNumber.format(totals.unreadableFiles)} unreadable` : ''}`;
  const records = `${wholeNumber.format(totals.records)} records${totals.badRecords > 0 ? ` (${wholeNumber.format(totals.badRecords)} bad)` : ''}`;
  const seconds = pace.elapsedMs / 1000;
  const rate = seconds > 0 ? `, ${wholeNumber.format(pace.records / seconds)} records/s` : '';
  lines.push(
    `totals: ${files}, ${records}, ${wholeNumber.format(totals.events)} events evaluated (${wholeNumber.format(totals.filteredOut)} filtered out), ${wholeNumber.format(totals.matchedEvents)} matched${rate}`,
  );
  if (totals.firstEvent !== undefined)
    lines.push(`events from ${totals.firstEvent} to ${totals.lastEvent ?? totals.firstEvent}`);
  if (report.moreErrors > 0)
    lines.push(`${wholeNumber.format(report.moreErrors)} more errors not listed`);
  lines.push('nothing was executed and no ledger was written');
  return lines.map(escapeControls).join('\n');
}
