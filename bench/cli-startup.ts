/**
 * The `steward` CLI as a user starts it: `node bin/steward.js --help`, `validate rules` and
 * `test rules` on the shipped pack, each a process of its own, against a bare `node -e 0` in
 * the same run. The bundle is built first (`scripts/build-cli.js`), so the figures are those of
 * the current sources. The commands take turns, round after round, and each reports its median:
 * on a shared machine a spawn another process disturbed must not make a ratio.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** One command's wall times, in milliseconds. */
export interface StartupTimes {
  /** As typed after `node`: `-e 0`, `bin/steward.js --help`. */
  command: string;
  medianMs: number;
  runsMs: number[];
}

export interface CliStartupResult {
  rounds: number;
  node: StartupTimes;
  help: StartupTimes;
  validate: StartupTimes;
  test: StartupTimes;
  /** `--help` over `node -e 0`. */
  helpOverNode: number;
  /** `validate rules` over `node -e 0`. */
  validateOverNode: number;
  /** `test rules` over `node -e 0`. */
  testOverNode: number;
}

function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Runs `node …args` in `root` and returns its wall time; a failed run fails the bench. */
function timeSpawn(root: string, args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0)
    throw new Error(
      `node ${args.join(' ')} exited ${child.status}: ${(child.stderr || child.stdout).trim()}`,
    );
  return ms;
}

/**
 * Builds the CLI bundle, then times each command `rounds` times (after one untimed warm-up
 * round for the file system cache) and gives the medians and their ratios to `node -e 0`.
 *
 * @example
 * const startup = measureCliStartup(root, 9);
 * console.log(`${startup.helpOverNode.toFixed(1)}× node -e 0`);
 */
export function measureCliStartup(root: string, rounds: number): CliStartupResult {
  timeSpawn(root, [join(root, 'scripts/build-cli.js')]);
  const commands = {
    node: ['-e', '0'],
    help: ['bin/steward.js', '--help'],
    validate: ['bin/steward.js', 'validate', 'rules'],
    test: ['bin/steward.js', 'test', 'rules'],
  };
  type Name = keyof typeof commands;
  const runs: Record<Name, number[]> = { node: [], help: [], validate: [], test: [] };
  const names = Object.keys(commands) as Name[];
  for (const name of names) timeSpawn(root, commands[name]);
  for (let round = 0; round < rounds; round++) {
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(round + turn) % names.length] as Name;
      runs[name].push(timeSpawn(root, commands[name]));
    }
  }
  const times = (name: Name): StartupTimes => ({
    command: commands[name].join(' '),
    medianMs: Number(median(runs[name]).toFixed(1)),
    runsMs: runs[name].map((ms) => Number(ms.toFixed(1))),
  });
  const result = {
    node: times('node'),
    help: times('help'),
    validate: times('validate'),
    test: times('test'),
  };
  return {
    rounds,
    ...result,
    helpOverNode: result.help.medianMs / result.node.medianMs,
    validateOverNode: result.validate.medianMs / result.node.medianMs,
    testOverNode: result.test.medianMs / result.node.medianMs,
  };
}
