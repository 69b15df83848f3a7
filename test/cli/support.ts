import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { main } from '../../src/cli/main.js';
import { repoPath } from '../support/files.js';

/** What one `steward` command printed, and its exit status. */
export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `steward` in-process, as the `steward` binary would, capturing what it prints. */
export async function steward(...argv: string[]): Promise<CommandRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    out: (text) => (stdout += `${text}\n`),
    err: (text) => (stderr += `${text}\n`),
  });
  return { code, stdout, stderr };
}

let built: Promise<void> | undefined;

/**
 * Builds the CLI bundle `bin/steward.js` runs (`npm run build`), once per test process. The
 * build replaces the bundle atomically, so test files building at once do not disturb each other.
 */
export function buildCli(): Promise<void> {
  built ??= promisify(execFile)(process.execPath, [repoPath('scripts/build-cli.js')]).then(
    () => undefined,
  );
  return built;
}

/** Runs `node bin/steward.js …` (or another `bin`) in a process of its own, as a user does. */
export async function stewardProcess(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; bin?: string; node?: string[] } = {},
): Promise<CommandRun> {
  const result = await promisify(execFile)(
    process.execPath,
    [...(options.node ?? []), options.bin ?? repoPath('bin/steward.js'), ...args],
    { env: options.env ?? process.env, cwd: options.cwd ?? repoPath('.') },
  ).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
  return result;
}
