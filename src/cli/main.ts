import { readFileSync } from 'node:fs';
import { LedgerUnreadableError } from '../ledger/embedded/errors.js';
import { escapeControls, escapeLines } from './escape.js';
import { actionsCommand, actionsUsage } from './actions.js';
import { explainCommand, explainUsage } from './explain.js';
import { factsCommand, factsUsage } from './facts.js';
import { ledgerCommand, ledgerUsage } from './ledger.js';
import { memberTemplateCommand, memberTemplateUsage } from './member-template.js';
import { operatorsCommand, operatorsUsage } from './operators.js';
import { packCommand, packUsage } from './pack.js';
import { processOutput, UsageError, type Output } from './output.js';
import { patternsCommand } from './patterns.js';
import { runCommand, runUsage } from './run.js';
import { testCommand } from './test-rules.js';
import { validateCommand } from './validate.js';

/** Each command's usage, as `steward <command> --help` prints it. */
const usages: Record<string, string> = {
  run: runUsage,
  ledger: ledgerUsage,
  validate: 'steward validate [DIR]',
  test: 'steward test [DIR]',
  explain: explainUsage,
  patterns: 'steward patterns [DIR]',
  pack: packUsage,
  'member-template': memberTemplateUsage,
  actions: actionsUsage,
  operators: operatorsUsage,
  facts: factsUsage,
};

const usage = `steward: event-driven automation rules for AWS

usage:
  ${Object.values(usages)
    .map((text) => text.replace(/\n/g, '\n  '))
    .join('\n  ')}
  steward --version
`;

/** The version of the installed package, from its package.json. */
function version(): string {
  const manifest: unknown = JSON.parse(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
  );
  const value =
    typeof manifest === 'object' && manifest !== null && 'version' in manifest
      ? manifest.version
      : undefined;
  return typeof value === 'string' ? value : 'unknown';
}

/** True when the arguments ask for help before any `--` that ends the options. */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

const commands: Record<string, (args: string[], output: Output) => Promise<number>> = {
  run: runCommand,
  ledger: ledgerCommand,
  validate: validateCommand,
  test: testCommand,
  explain: explainCommand,
  patterns: patternsCommand,
  pack: packCommand,
  'member-template': memberTemplateCommand,
  actions: actionsCommand,
  operators: operatorsCommand,
  facts: factsCommand,
};

/** The `steward` command; returns the exit status. */
export async function main(argv: string[], output: Output = processOutput): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    output.out(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    output.out(`steward ${version()}`);
    return 0;
  }
  const command = commands[name];
  const commandUsage = usages[name];
  if (command && commandUsage !== undefined && asksForHelp(args)) {
    output.out(`usage: ${commandUsage}`);
    return 0;
  }
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
