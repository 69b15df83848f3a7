/**
 * The CloudTrail log-file path: a generated gzipped log file (`bench/trail-file.ts`) decoded by
 * the streaming decoder and by the `cloudtrailLogs` handler (reading it from a local S3
 * endpoint, with the shipped rules and the embedded ledger), against the floor of gunzip and
 * JSON.parse of the same file in the same run. Each runs in a child process of its own, so its
 * peak memory (RSS high-water mark, largest heap sampled) is its own.
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeRulePack } from '../src/rules/pack-build.js';
import { writeTrailFile, type TrailFile } from './trail-file.js';

export interface LogFileRun {
  mode: 'floor' | 'stream' | 'handler';
  /** Why the path could not decode the file at all; records and errors are 0 then. */
  failed?: string;
  records: number;
  errors: number;
  seconds: number;
  recordsPerSecond: number;
  /** RSS before the path read anything: Node, the TypeScript loader and the modules. */
  startRssBytes: number;
  peakRssBytes: number;
  peakHeapBytes: number;
}

export interface LogFileResult {
  file: TrailFile;
  /** gunzip + JSON.parse of the whole file. */
  floor: LogFileRun;
  stream: LogFileRun;
  handler: LogFileRun;
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** Serves every GET as the file: all the S3 client of the handler asks for is one GetObject. */
async function serveAsS3(file: string): Promise<{ server: Server; endpoint: string }> {
  const { size } = await stat(file);
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(size),
    });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port for the S3 stub');
  return { server, endpoint: `http://127.0.0.1:${address.port}` };
}

/** Asynchronous, so this process keeps serving the S3 endpoint the handler reads from. */
async function runChild(
  mode: LogFileRun['mode'],
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<LogFileRun> {
  const { stdout: output } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(root, 'bench/log-file-child.ts'), mode, file],
    { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  // The handler logs its own summary first; the measurement is the last line.
  const run = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as Omit<
    LogFileRun,
    'records' | 'errors' | 'recordsPerSecond'
  > &
    Partial<Pick<LogFileRun, 'records' | 'errors'>>;
  const records = run.records ?? 0;
  return { ...run, records, errors: run.errors ?? 0, recordsPerSecond: records / run.seconds };
}

/**
 * Generates the file of `records` records and measures each path over it once.
 *
 * @example
 * const { stream, floor } = await measureLogFile(500_000);
 */
export async function measureLogFile(records: number): Promise<LogFileResult> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-bench-trail-'));
  try {
    const path = join(dir, 'trail.json.gz');
    const file = await writeTrailFile(path, records);
    const rulePack = join(dir, 'rule-pack.json');
    await writeRulePack(join(root, 'rules'), rulePack);
    const { server, endpoint } = await serveAsS3(path);
    try {
      const base = { ...process.env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512' };
      const floor = await runChild('floor', path, base);
      const stream = await runChild('stream', path, base);
      const handler = await runChild('handler', path, {
        ...base,
        AWS_ENDPOINT_URL_S3: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_EC2_METADATA_DISABLED: 'true',
        STEWARD_RULE_PACK: rulePack,
        STEWARD_DATA_DIR: join(dir, 'data'),
        STEWARD_LISTS_FILE: join(root, 'config/lists.yaml'),
      });
      for (const run of [floor, stream, handler]) {
        if (run.failed === undefined && (run.records !== records || run.errors !== 0)) {
          throw new Error(
            `${run.mode} decoded ${run.records} of ${records} records with ${run.errors} errors`,
          );
        }
      }
      return { file, floor, stream, handler };
    } finally {
      server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
