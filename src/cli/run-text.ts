import type { PipelineReport } from '../pipeline.js';
import { escapeControls } from './escape.js';

/**
 * One input's report as text: the log files it named, then each event with its rules and
 * actions; with `matchesOnly`, only the events a rule matched. Control characters from events
 * are escaped.
 *
 * @example
 * output.out(describeEvents(report, { matchesOnly: false }));
 */
export function describeEvents(report: PipelineReport, options: { matchesOnly: boolean }): string {
  const lines: string[] = [];
  for (const object of report.objects) {
    const counts = object.read
      ? `: ${object.records ?? 0} records, ${object.unmatched ?? 0} of them matched no rule`
      : '';
    lines.push(
      `${object.read ? 'read' : 'would read (run with --live to read it)'} s3://${object.bucket}/${object.key}${counts}`,
    );
  }
  for (const event of report.events) {
    if (options.matchesOnly && event.matches.length === 0) continue;
    const derived = event.idDerived ? ', id derived from its content' : '';
    lines.push(
      `${event.source} ${event.name} ${event.resources.join(' ') || '-'}  (event ${event.id}${derived})`,
    );
    if (event.matches.length === 0) lines.push('  no rule matched');
    for (const match of event.matches) {
      lines.push(`  rule ${match.rule}`);
      for (const action of match.actions) {
        const stored = action.stored ? ` (stored: ${action.stored})` : '';
        lines.push(
          `    ${action.action} ${action.resource}: ${action.status}${stored}${action.detail ? ` — ${action.detail}` : ''}`,
        );
      }
    }
  }
  if (report.events.length === 0) lines.push('no events');
  return lines.map(escapeControls).join('\n');
}

/**
 * The run's last line: whether actions were executed, and where they were recorded, or that
 * nothing was.
 *
 * @example
 * runFooter({ live: false, whatIf: true }); // 'what-if (dry run): nothing executed, nothing recorded: …'
 */
export function runFooter(run: { live: boolean; whatIf: boolean; ledger?: string }): string {
  const mode = run.live ? 'live' : 'dry run';
  if (run.whatIf)
    return `what-if (${mode}): nothing executed, nothing recorded: the ledger was neither read nor written`;
  return escapeControls(`${mode}; ledger: ${run.ledger ?? '-'}`);
}
