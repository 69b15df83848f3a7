/**
 * Per handler: the size of `handlers/<fn>.cjs` in `.serverless/<fn>.zip` (what `sls package`
 * ships), its module initialisation time in fresh Node processes, and which packages make up
 * the bundle (esbuild's metafile, same options as serverless.yml). As in Lambda, the process
 * runs with `--enable-source-maps` (the functions' NODE_OPTIONS) and finds the AWS SDK clients,
 * which the bundles leave to the runtime, on NODE_PATH (the project's node_modules stands in
 * for the runtime's).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { median } from './measure.js';

export const handlerNames = ['ec2State', 'cloudtrail', 'cloudtrailLogs', 'cloudwatchLogs'];

export interface BundleResult {
  handler: string;
  bytes: number;
  /** Median of the `require()` times, each measured inside its own fresh `node`. */
  initMs: number;
  initRuns: number[];
  /** The packages contributing most to the minified bundle, in bytes. */
  largest: { module: string; bytes: number }[];
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    stat.mtimeMs,
    ...readdirSync(path).map((entry) => newestMtime(join(path, entry))),
  );
}

/** Runs `sls package` when `.serverless/` is missing or older than the sources. */
export function ensurePackaged(root: string, log: (line: string) => void): boolean {
  const zips = handlerNames.map((name) => join(root, '.serverless', `${name}.zip`));
  let packagedAt = 0;
  try {
    packagedAt = Math.min(...zips.map((zip) => statSync(zip).mtimeMs));
  } catch {
    packagedAt = 0;
  }
  const sourcesAt = Math.max(
    ...['src', 'handlers', 'rules', 'config', 'deploy', 'serverless.yml', 'package-lock.json'].map(
      (path) => newestMtime(join(root, path)),
    ),
  );
  if (packagedAt > sourcesAt) return false;
  log('packaging the handlers (npx sls package, ~30 s)…');
  execFileSync('npx', ['sls', 'package'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  return true;
}

const initScript = `
const start = process.hrtime.bigint();
require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e6));
process.exit(0);
`;

async function packagesOf(
  root: string,
  handler: string,
): Promise<{ module: string; bytes: number }[]> {
  const result = await build({
    entryPoints: [join(root, 'handlers', `${handler}.ts`)],
    bundle: true,
    minify: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    keepNames: true,
    external: ['dynalite', '@aws-sdk/client-*'],
    write: false,
    metafile: true,
    outdir: join(tmpdir(), 'steward-bench-metafile'),
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const module = match
      ? (match[1] as string)
      : input.startsWith('src/') || input.startsWith('handlers/')
        ? 'steward (src, handlers)'
        : input;
    byPackage.set(module, (byPackage.get(module) ?? 0) + bytesInOutput);
  }
  return [...byPackage.entries()]
    .map(([module, bytes]) => ({ module, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 8);
}

export async function measureBundles(root: string, initRuns: number): Promise<BundleResult[]> {
  const results: BundleResult[] = [];
  for (const handler of handlerNames) {
    const dir = mkdtempSync(join(tmpdir(), `steward-${handler}-`));
    try {
      execFileSync('unzip', ['-q', join(root, '.serverless', `${handler}.zip`), '-d', dir]);
      const file = join(dir, 'handlers', `${handler}.cjs`);
      const runs = Array.from({ length: initRuns }, () =>
        Number(
          execFileSync(process.execPath, ['--enable-source-maps', '-e', initScript, file], {
            cwd: dir,
            env: {
              ...process.env,
              AWS_REGION: 'us-east-1',
              STEWARD_LEDGER_TABLE: 'bench',
              NODE_PATH: join(root, 'node_modules'),
            },
          }).toString(),
        ),
      );
      results.push({
        handler,
        bytes: statSync(file).size,
        initMs: median(runs),
        initRuns: runs,
        largest: await packagesOf(root, handler),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}
