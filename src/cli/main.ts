import { LedgerUnreadableError } from '../ledger/embedded/errors.js';
import { escapeControls, escapeLines } from './escape.js';
import { explainCommand, explainUsage } from './explain.js';
import { ledgerCommand, ledgerUsage } from './ledger.js';
import { memberTemplateCommand, memberTemplateUsage } from './member-template.js';
import { packCommand, packUsage } from './pack.js';
import { processOutput, UsageError, type Output } from './output.js';
import { patternsCommand } from './patterns.js';
import { runCommand, runUsage } from './run.js';
import { testCommand } from './test-rules.js';
import { validateCommand } from './validate.js';

const usage = `steward: event-driven automation rules for AWS

usage:
  ${runUsage}
  ${ledgerUsage.replace(/\n/g, '\n  ')}
  steward validate [DIR]
  steward test [DIR]
  ${explainUsage}
  steward patterns [DIR]
  ${packUsage}
  ${memberTemplateUsage}
`;

const commands: Record<string, (args: string[], output: Output) => Promise<number>> = {
  run: runCommand,
  ledger: ledgerCommand,
  validate: validateCommand,
  test: testCommand,
  explain: explainCommand,
  patterns: patternsCommand,
  pack: packCommand,
  'member-template': memberTemplateCommand,
};

/** The `steward` command; returns the exit status. */
export async function main(argv: string[], output: Output = processOutput): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    output.out(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    output.err(`steward: unknown command "${escapeControls(name)}"\n${usage}`);
    return 2;
  }
  try {
    return await command(args, output);
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof LedgerUnreadableError ||
      (error instanceof TypeError &&
        'code' in error &&
        String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      output.err(escapeLines(`steward ${name}: ${error.message}`));
      return 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    output.err(escapeLines(`steward ${name}: ${message}`));
    return 1;
  }
}
