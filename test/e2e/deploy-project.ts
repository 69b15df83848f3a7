import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyProject } from '../support/project-copy.js';

/** Long enough for a deploy that packages every function on a busy machine. */
const commandTimeoutMs = 300_000;

/** `sls` exited with an error: the command and what it printed. */
export class SlsCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly output: string,
    options: { cause: unknown },
  ) {
    super(`sls ${args.join(' ')} failed:\n${output}`, options);
    this.name = 'SlsCommandError';
  }
}

/**
 * A copy of the project in a scratch directory, with the repository's `node_modules` linked in,
 * where `sls` runs as a user runs it and where a test may edit the rules: the repository's own
 * `rules/` and `.serverless/` stay untouched.
 *
 * @example
 * const project = await ScratchProject.create({ AWS_ENDPOINT_URL: endpoint });
 * await project.sls('deploy', '--stage', 'ci');
 * await writeFile(join(project.rulesDir, 'new.yaml'), text);
 */
export class ScratchProject {
  private constructor(
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async create(env: NodeJS.ProcessEnv): Promise<ScratchProject> {
    return new ScratchProject(await copyProject('steward-deploy-'), env);
  }

  get rulesDir(): string {
    return join(this.dir, 'rules');
  }

  /** Runs `sls ARGS` (osls, as `npx sls` does) in the project and returns what it printed. */
  async sls(...args: string[]): Promise<string> {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [join(this.dir, 'node_modules/osls/bin/serverless.js'), ...args],
        {
          cwd: this.dir,
          env: {
            ...process.env,
            ...this.env,
            SLS_TELEMETRY_DISABLED: '1',
            SLS_NOTIFICATIONS_MODE: 'off',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
          timeout: commandTimeoutMs,
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      return `${stdout}${stderr}`;
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new SlsCommandError(args, `${stdout}${stderr}`.trim(), { cause: error });
    }
  }
}

/**
 * The deployments `sls deploy list` printed, oldest first, as the timestamps
 * `sls rollback --timestamp` takes.
 *
 * @example
 * deploymentTimestamps('2026-11-30 14:07:10 UTC\nTimestamp: 1796047630527\n'); // ['1796047630527']
 */
export function deploymentTimestamps(listing: string): string[] {
  return [...listing.matchAll(/^Timestamp: (\d+)$/gm)].map((match) => match[1] as string);
}

/**
 * Makes a moto server the only AWS of this process and of the `sls` commands it runs: its
 * endpoint, test credentials and the region, with any profile, session token or lists file of
 * the caller's environment dropped. Returns the environment to give `ScratchProject.create`.
 *
 * @example
 * const project = await ScratchProject.create(useMotoAsAws(moto.endpoint, 'us-east-1'));
 */
export function useMotoAsAws(endpoint: string, region: string): Record<string, string> {
  const aws = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'STEWARD_LISTS_FILE'])
    Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, aws);
  return aws;
}
