import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoPath } from '../support/files.js';

/**
 * Runs the repository's real `sls package`, as CI and `sls deploy` run it, into a new scratch
 * directory with the given `--param`s, and returns the directory: its
 * `cloudformation-template-update-stack.json` is what CloudFormation would get. Rejects with
 * the child's `code`, `stdout` and `stderr` when the package fails. `service` is the folder of
 * another Serverless service of the repository (`backtest`); the steward service by default.
 *
 * @example
 * const dir = await slsPackage({ stage: 'prod', params: ['cloudTrailBucket=trail-logs'] });
 */
export async function slsPackage(options: {
  stage?: string;
  params?: string[];
  service?: string;
}): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'steward-package-'));
  await promisify(execFile)(
    process.execPath,
    [
      repoPath('node_modules/osls/bin/serverless.js'),
      'package',
      ...(options.stage ? ['--stage', options.stage] : []),
      '--package',
      out,
      ...(options.params ?? []).map((param) => `--param=${param}`),
    ],
    {
      cwd: repoPath(options.service ?? '.'),
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      timeout: 240_000,
    },
  );
  return out;
}
