import { LedgerUnreadableError } from '../ledger/embedded/errors.js';
import { escapeControls, escapeLines } from './escape.js';
import { processOutput, UsageError, type Output } from './output.js';
import { exitCodes, usages, type CommandName } from './usages.js';
import { packageVersion } from './version.js';

/** A command: its arguments in, its exit status out. */
type Command = (args: string[], output: Output) => Promise<number>;

/**
 * Each command's module, loaded only when the command runs: `steward --help` or `validate`
 * must not pay for the AWS SDK and dynalite that `run` and `ledger` load.
 */
const commands: Record<CommandName, () => Promise<Command>> = {
  run: async () => (await import('./run.js')).runCommand,
  sweep: async () => (await import('./sweep.js')).sweepCommand,
  backtest: async () => (await import('./backtest.js')).backtestCommand,
  ledger: async () => (await import('./ledger.js')).ledgerCommand,
  validate: async () => (await import('./validate.js')).validateCommand,
  test: async () => (await import('./test-rules.js')).testCommand,
  explain: async () => (await import('./explain.js')).explainCommand,
  patterns: async () => (await import('./patterns.js')).patternsCommand,
  pack: async () => (await import('./pack.js')).packCommand,
  'member-template': async () => (await import('./member-template.js')).memberTemplateCommand,
  completion: async () => (await import('./completion.js')).completionCommand,
  actions: async () => (await import('./actions.js')).actionsCommand,
  operators: async () => (await import('./operators.js')).operatorsCommand,
  facts: async () => (await import('./facts.js')).factsCommand,
  replay: async () => (await import('./replay.js')).replayCommand,
  trace: async () => (await import('./trace.js')).traceCommand,
  status: async () => (await import('./status.js')).statusCommand,
};

const usage = `steward: event-driven automation rules for AWS

usage:
  ${Object.values(usages)
    // A usage's further forms are aligned under `usage: `; here they stand as lines of their own.
    .map((text) => text.replace(/\n {7}steward /g, '\nsteward ').replace(/\n/g, '\n  '))
    .join('\n  ')}
  steward --version

${exitCodes}
`;

/** True when the arguments ask for help before any `--` that ends the options. */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

/** True for the errors that mean the command was called wrongly, not that it found something. */
function isUsageProblem(error: unknown): boolean {
  return (
    error instanceof UsageError ||
    error instanceof LedgerUnreadableError ||
    (error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS'))
  );
}

/**
 * The `steward` command; returns the exit status (0 done, 1 findings, 2 usage).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: string[], output: Output = processOutput): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    output.out(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    output.out(`steward ${packageVersion()}`);
    return 0;
  }
  if (!isCommandName(name)) {
    output.err(`steward: unknown command "${escapeControls(name)}"\n${usage}`);
    return 2;
  }
  if (asksForHelp(args)) {
    output.out(`usage: ${usages[name]}`);
    return 0;
  }
  try {
    const command = await commands[name]();
    return await command(args, output);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output.err(escapeLines(`steward ${name}: ${message}`));
    return isUsageProblem(error) ? 2 : 1;
  }
}
