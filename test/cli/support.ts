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

/**
 * Builds the CLI bundle `bin/steward.js` runs (`npm run build`). The build replaces the bundle
 * atomically, so test files building at once do not disturb each other.
 */
export async function buildCli(): Promise<void> {
  await promisify(execFile)(process.execPath, [repoPath('scripts/build-cli.js')]);
}
