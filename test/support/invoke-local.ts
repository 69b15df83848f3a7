import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface InvokeLocalRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `sls invoke local -f FUNCTION -p EVENT_FILE` in a copy of the project (see `copyProject`),
 * offline: no credentials anywhere the SDK looks, the copy's own ledger; `env` is added to
 * this process's environment, `params` given as `--param=name=value` as `sls deploy` takes them.
 *
 * @example
 * const run = await invokeLocal(project, 'ec2State', 'events/ec2-running.json');
 */
export function invokeLocal(
  project: string,
  functionName: string,
  eventFile: string,
  env: NodeJS.ProcessEnv = {},
  params: readonly string[] = [],
): Promise<InvokeLocalRun> {
  const offline: NodeJS.ProcessEnv = {
    ...process.env,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: join(project, 'no-credentials'),
    AWS_CONFIG_FILE: join(project, 'no-config'),
    STEWARD_DATA_DIR: join(project, '.steward'),
    ...env,
  };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
    Reflect.deleteProperty(offline, name);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        join(project, 'node_modules/osls/bin/serverless.js'),
        'invoke',
        'local',
        '-f',
        functionName,
        '-p',
        eventFile,
        ...params.map((param) => `--param=${param}`),
      ],
      { cwd: project, env: offline, timeout: 180_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
    );
  });
}
