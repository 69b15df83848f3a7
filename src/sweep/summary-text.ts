/**
 * A sweep's summary as the CLI prints it: one line per target, then the totals, the describe
 * calls and the problems.
 */
import type { SweepProgress, SweepSummary } from './run-sweep.js';

function counts(record: Record<string, number | undefined>): string {
  const entries = Object.entries(record).filter(([, count]) => count !== undefined && count > 0);
  return entries.length === 0
    ? 'none'
    : entries.map(([name, count]) => `${count} ${name}`).join(', ');
}

/**
 * The summary as text.
 *
 * @example
 * output.out(describeSweep(summary));
 * // rule sweep-instances-without-owner, swept 2026-12-01T06:00:00.000Z
 * //   123456789012 us-east-1 ec2-instances (period from 2026-12-01T00:00:00.000Z): 300 resources, 40 matches
 * // 300 resources, 40 matches; actions: 40 planned; describe calls: 3 DescribeInstances
 */
export function describeSweep(summary: SweepSummary): string {
  const lines = [`rule ${summary.rule}, swept ${summary.time}`];
  for (const target of summary.targets)
    lines.push(
      `  ${target.account} ${target.region} ${target.kind} (period from ${target.periodStart}): ` +
        `${target.resources} resources, ${target.matches} matches` +
        (target.failed === undefined ? '' : `; describing failed: ${target.failed}`),
    );
  lines.push(
    `${summary.resources} resources, ${summary.matches} matches; actions: ${counts(summary.actions)}; ` +
      `describe calls: ${counts(summary.describeCalls)}`,
  );
  if (summary.errors.length > 0) {
    lines.push(`${summary.errors.length + (summary.moreErrors ?? 0)} problem(s):`);
    for (const error of summary.errors) lines.push(`  ${error.where}: ${error.message}`);
    if (summary.moreErrors !== undefined) lines.push(`  and ${summary.moreErrors} more`);
  }
  return lines.join('\n');
}

/**
 * A progress line.
 *
 * @example
 * progressLine(progress); // 'sweeping 123456789012 us-east-1 ec2-instances: 200 resources (200 in all, 12 matches)'
 */
export function progressLine(progress: SweepProgress): string {
  const { target, kind, resources, total, done } = progress;
  return (
    `${done ? 'swept' : 'sweeping'} ${target.account} ${target.region} ${kind}: ${resources} resources ` +
    `(${total.resources} in all, ${total.matches} matches)`
  );
}
