import { execFile } from 'node:child_process';
import { repoPath } from './files.js';

export interface StewardProcess {
  code: number;
  stdout: string;
  stderr: string;
}

/** How `runSteward` starts the process; by default as a user would, in the repository. */
export interface StewardProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Another `bin/steward.js` (a copy in a checkout of a test's own). */
  bin?: string;
  /** Options for node itself, before the script (`--require`). */
  node?: string[];
}

/**
 * `node bin/steward.js …args` as a process of its own, in the repository, with its exit
 * status and what it printed.
 *
 * @example
 * const help = await runSteward(['--help']);
 */
export function runSteward(
  args: string[],
  options: StewardProcessOptions = {},
): Promise<StewardProcess> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.node ?? []), options.bin ?? repoPath('bin/steward.js'), ...args],
      { cwd: repoPath('.'), env: options.env ?? process.env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * The real `steward` CLI (`node bin/steward.js`) as a process of its own, on the embedded
 * ledger of `dataDir` whatever endpoint the test run has configured, with a short server idle time.
 *
 * @example
 * const run = await stewardProcess(dataDir, 'run', 'events/cloudtrail-run-instances.json', '--json');
 */
export function stewardProcess(dataDir: string, ...args: string[]): Promise<StewardProcess> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB', 'STEWARD_LEDGER'].includes(name),
    ),
  );
  env.STEWARD_DATA_DIR = dataDir;
  env.STEWARD_LEDGER_IDLE_SECONDS = '1';
  return runSteward(args, { env });
}

/** True when a process's stderr holds a JavaScript stack trace. */
export function hasStackTrace(stderr: string): boolean {
  return /^\s+at .+[:(]/m.test(stderr) || /\n\s*\^\s*\n/.test(stderr);
}
