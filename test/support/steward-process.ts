import { execFile } from 'node:child_process';
import { repoPath } from './files.js';

export interface StewardProcess {
  code: number;
  stdout: string;
  stderr: string;
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
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [repoPath('bin/steward.js'), ...args],
      { cwd: repoPath('.'), env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** True when a process's stderr holds a JavaScript stack trace. */
export function hasStackTrace(stderr: string): boolean {
  return /^\s+at .+[:(]/m.test(stderr) || /\n\s*\^\s*\n/.test(stderr);
}
