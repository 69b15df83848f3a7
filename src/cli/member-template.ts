import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { memberTemplate } from '../deploy/member-template.js';
import { DeployParameterError, defaultMemberRoleName } from '../deploy/parameters.js';
import { loadRules } from '../rules/load.js';
import { formatProblem, RuleLoadError } from '../rules/problems.js';
import type { CompiledRule } from '../rules/rule.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { escapeControls } from './escape.js';
import { UsageError, type Output } from './output.js';
import { usages } from './usages.js';

/** The service name of `serverless.yml`: the central roles and bus are named after it. */
const service = 'steward';

async function rulesOf(dir: string, output: Output): Promise<CompiledRule[] | undefined> {
  try {
    return await loadRules(dir);
  } catch (error) {
    if (!(error instanceof RuleLoadError)) throw error;
    for (const problem of error.problems) output.err(escapeControls(formatProblem(problem)));
    output.out(
      `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}: no template written`,
    );
    return undefined;
  }
}

/**
 * `steward member-template`: writes the CloudFormation template each member account of an
 * organization gets (a StackSet across its regions), generated from the rules of DIR for the
 * central stack of `--stage` in `--region`: JSON on stdout, or to `--out FILE` with a summary.
 *
 * @example
 * await memberTemplateCommand(['--central-account', '111122223333', '--stage', 'prod',
 *   '--out', 'member.json'], processOutput);
 */
export async function memberTemplateCommand(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'central-account': { type: 'string' },
      'organization-id': { type: 'string' },
      stage: { type: 'string', default: 'dev' },
      region: { type: 'string', default: 'us-east-1' },
      'member-role-name': { type: 'string', default: defaultMemberRoleName },
      out: { type: 'string' },
    },
  });
  if (positionals.length > 1) throw new UsageError(`usage: ${usages['member-template']}`);
  const dir = positionals[0] ?? defaultRulesDir();
  const rules = await rulesOf(dir, output);
  if (!rules) return 1;
  let template;
  try {
    template = memberTemplate(rules, {
      service,
      stage: values.stage,
      region: values.region,
      memberRoleName: values['member-role-name'],
      centralAccountId: values['central-account'],
      organizationId: values['organization-id'],
    });
  } catch (error) {
    if (error instanceof DeployParameterError)
      throw new UsageError(error.message.replace(/^deploy parameter (\S+):/, '--$1:'), {
        cause: error,
      });
    throw error;
  }
  const text = `${JSON.stringify(template, null, 2)}\n`;
  if (values.out === undefined) {
    output.out(text);
    return 0;
  }
  await writeFile(values.out, text);
  const forwarding = Object.values(template.Resources ?? {}).filter(
    (resource) => resource.Type === 'AWS::Events::Rule',
  ).length;
  output.out(
    `member template for ${service}-${values.stage} in ${values.region} written to ${values.out}: ` +
      `role ${values['member-role-name']} for ${rules.length} rules, ${forwarding} forwarding rules per region`,
  );
  return 0;
}
