import { parseArgs } from 'node:util';
import { loadRules } from '../rules/load.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { createEvaluation, createRuntime, type Runtime } from '../runtime.js';
import { runSweep, type SweepPipeline, type SweepSummary } from '../sweep/run-sweep.js';
import { sweepableRule, SweepRuleError } from '../sweep/sweep-rule.js';
import { describeSweep, progressLine } from '../sweep/summary-text.js';
import { parseTargetList, sweepTargets, SweepTargetError } from '../sweep/targets.js';
import { escapeControls, escapeLines } from './escape.js';
import { UsageError, type Output } from './output.js';
import { runFooter } from './run-text.js';
import { usages } from './usages.js';

/** A chunk's progress line is printed at most this often; each target's end always is. */
const progressIntervalMs = 1_000;

/**
 * `steward sweep RULE`: a schedule rule's sweep from the CLI, as the sweep function runs it.
 * Without `--live`, a what-if: the describe calls are made, every action of a firing rule is
 * only planned (as the sweep function would take it: an enforced rule's as enforced), and the
 * ledger is neither read nor written. With `--live`, the sweep goes
 * through the ledger as in Lambda: an enforced rule's actions run, a dry-run rule's are
 * recorded as dry runs. Progress goes to stderr, the summary to stdout (`--json`: the summary
 * as JSON). Exit 0 when every target was swept without a problem, 1 when a target or an action
 * failed, 2 for an unknown rule, a rule without a schedule trigger or a bad option.
 *
 * @example
 * await sweepCommand(['sweep-instances-without-owner', '--regions', 'us-east-1,eu-west-1'], processOutput);
 */
export async function sweepCommand(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rules: { type: 'string' },
      regions: { type: 'string' },
      accounts: { type: 'string' },
      live: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`usage: ${usages.sweep}`);
  const ruleId = positionals[0] as string;
  let regions: string[] | undefined;
  let accounts: string[] | undefined;
  try {
    regions = parseTargetList(values.regions, 'regions', '--regions');
    accounts = parseTargetList(values.accounts, 'accounts', '--accounts');
    if (values.regions !== undefined && regions === undefined)
      throw new SweepTargetError('no region given', '--regions');
    if (values.accounts !== undefined && accounts === undefined)
      throw new SweepTargetError('no account given', '--accounts');
  } catch (error) {
    if (error instanceof SweepTargetError) throw new UsageError(error.message);
    throw error;
  }
  const live = values.live === true;
  const rules = () => loadRules(values.rules ?? defaultRulesDir());
  let runtime: Runtime | undefined;
  try {
    const pipeline: SweepPipeline = live
      ? { whatIf: false, context: (runtime = await createRuntime({ rules, live: true })) }
      : // Planned as the sweep function would act: enforced rules' actions as enforced.
        { whatIf: true, context: await createEvaluation({ rules, live: true }) };
    try {
      sweepableRule(pipeline.context.ruleIndex.rules, ruleId);
    } catch (error) {
      if (error instanceof SweepRuleError) throw new UsageError(error.message);
      throw error;
    }
    const { clients } = pipeline.context;
    const targets = sweepTargets(
      accounts ?? [await clients.lookUpHomeAccount()],
      regions ?? [clients.region],
    );
    let lastLine = 0;
    const summary: SweepSummary = await runSweep(
      {
        rule: ruleId,
        targets,
        onProgress: (progress) => {
          const now = Date.now();
          if (!progress.done && now - lastLine < progressIntervalMs) return;
          lastLine = now;
          output.err(escapeControls(progressLine(progress)));
        },
      },
      pipeline,
    );
    if (values.json) output.out(JSON.stringify(summary, null, 2));
    else {
      output.out(escapeLines(describeSweep(summary)));
      output.out(runFooter({ live: true, whatIf: !live, ledger: runtime?.connection.description }));
    }
    return summary.errors.length > 0 || summary.actions.failed !== undefined ? 1 : 0;
  } finally {
    await runtime?.close();
  }
}
