import { parseArgs } from 'node:util';
import { clientPoolFromEnv, FACTS_SESSION } from '../client-pool.js';
import { evaluateRules } from '../rules/evaluate.js';
import { explainVerdict, explanationLines, type RuleExplanation } from '../rules/explain.js';
import { loadRules } from '../rules/load.js';
import { RuleIndex } from '../rules/rule-index.js';
import { triggerMismatches } from '../rules/index/trigger-mismatch.js';
import { outOfScope } from '../rules/scope.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { escapeControls } from './escape.js';
import { UsageError, type Output } from './output.js';
import { usages } from './usages.js';
import { readEventFile, readFactStubs } from './input-files.js';

/**
 * `steward explain`: for each event of the file and each candidate rule (or the one named),
 * every condition with the fact value it saw, the operator, the expected value and the result.
 */
export async function explainCommand(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rule: { type: 'string' },
      rules: { type: 'string' },
      facts: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1)
    throw new UsageError(`usage: ${usages.explain}`);
  const batch = await readEventFile(file);
  if (batch.events.length === 0) {
    throw new UsageError(`${file}: ${batch.errors[0]?.message ?? 'holds no events to explain'}`);
  }
  const rules = await loadRules(values.rules ?? defaultRulesDir());
  const named =
    values.rule === undefined ? undefined : rules.find((rule) => rule.id === values.rule);
  if (values.rule !== undefined && !named) throw new UsageError(`no rule with id "${values.rule}"`);
  const stubs = values.facts === undefined ? undefined : await readFactStubs(values.facts);
  const index = new RuleIndex(rules);
  const pool = clientPoolFromEnv(process.env);
  const explained: {
    event: string;
    source: string;
    name: string;
    rules: (
      | RuleExplanation
      | { rule: string; candidate: false; triggers: string[] }
      | { rule: string; candidate: false; outOfScope: string }
    )[];
  }[] = [];
  for (const event of batch.events) {
    // Every rule listening to the event, also those whose conditions rule it out at a glance.
    const listening = index.listeners(event);
    const chosen = named ? listening.filter((rule) => rule === named) : listening;
    const outside = chosen.flatMap((rule) => {
      const reason = rule.scope && outOfScope(rule.scope, event);
      return reason ? [{ rule: rule.id, candidate: false as const, outOfScope: reason }] : [];
    });
    const inside = chosen.filter((rule) => !outside.some((item) => item.rule === rule.id));
    const clients = pool.for(event.account, event.region, FACTS_SESSION);
    const verdicts = await evaluateRules(event, inside, { clients, stubs, explain: true });
    explained.push({
      event: event.id,
      source: event.source,
      name: event.name,
      rules: [
        ...verdicts.map(explainVerdict),
        ...outside,
        ...(named && chosen.length === 0
          ? [
              {
                rule: named.id,
                candidate: false as const,
                triggers: triggerMismatches(named, event),
              },
            ]
          : []),
      ],
    });
  }
  if (values.json) {
    output.out(JSON.stringify(explained, null, 2));
    return 0;
  }
  const lines: string[] = [];
  for (const item of explained) {
    lines.push(`${item.source} ${item.name} (event ${item.event})`);
    if (item.rules.length === 0) lines.push('  no rule listens to this event');
    for (const rule of item.rules) {
      if ('outOfScope' in rule) {
        lines.push(`  rule ${rule.rule}: not a candidate: out of scope: ${rule.outOfScope}`);
        continue;
      }
      if ('candidate' in rule) {
        lines.push(`  rule ${rule.rule}: not a candidate: its triggers do not match this event`);
        lines.push(...rule.triggers.map((reason) => `    ${reason}`));
        continue;
      }
      lines.push(
        `  rule ${rule.rule}: ${rule.error !== undefined ? `error: ${rule.error}` : rule.fires ? 'fires' : 'does not fire'}`,
      );
      if (rule.conditions) lines.push(...explanationLines(rule.conditions, 2));
    }
  }
  output.out(lines.map(escapeControls).join('\n'));
  return explained.some((item) => item.rules.some((rule) => 'error' in rule)) ? 1 : 0;
}
