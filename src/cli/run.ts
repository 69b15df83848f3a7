import { parseArgs } from 'node:util';
import { processBatch, type PipelineReport } from '../pipeline.js';
import { loadRules } from '../rules/load.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { createRuntime } from '../runtime.js';
import { escapeControls } from './escape.js';
import { readEventFile, readFactStubs } from './input-files.js';
import { UsageError, type Output } from './output.js';
import { usages } from './usages.js';

/**
 * `steward run`: one event file through the same pipeline the Lambda handlers run. Exit 0 when
 * every event was processed, 1 when an event or action failed, 2 when the file cannot be read
 * or holds no supported shape.
 */
export async function runCommand(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rules: { type: 'string' },
      facts: { type: 'string' },
      json: { type: 'boolean' },
      live: { type: 'boolean' },
    },
  });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new UsageError(`usage: ${usages.run}`);
  const batch = await readEventFile(file);
  const factStubs = values.facts === undefined ? undefined : await readFactStubs(values.facts);
  const runtime = await createRuntime({
    rules: () => loadRules(values.rules ?? defaultRulesDir()),
    ...(values.live ? { live: true, readObjects: true } : { live: false }),
  });
  try {
    const report = await processBatch(batch, { ...runtime, factStubs });
    if (values.json) output.out(JSON.stringify(report, null, 2));
    else output.out(describeReport(report, runtime.connection.description, runtime.live));
    for (const error of report.errors)
      output.err(escapeControls(`${error.where}: ${error.message}`));
    return report.errors.length > 0 ? 1 : 0;
  } finally {
    await runtime.close();
  }
}

function describeReport(report: PipelineReport, ledger: string, live: boolean): string {
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
  lines.push(`${live ? 'live' : 'dry run'}; ledger: ${ledger}`);
  return lines.map(escapeControls).join('\n');
}
