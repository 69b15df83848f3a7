/**
 * One measurement of `bench/log-file.ts`, in a process of its own so its peak memory is its
 * own: `tsx bench/log-file-child.ts <floor|stream|handler> <file.json.gz>`. Prints one JSON
 * line: records, time, RSS at the start and at its peak (the kernel's high-water mark), and
 * the largest heap sampled.
 *
 * - floor: gunzip and JSON.parse the whole file, the least any whole-file decoder does.
 * - stream: `decodeCloudTrailLogStream` over the file, every record normalized.
 * - handler: the `cloudtrailLogs` handler on an S3 notification for the file, which it reads
 *   from the S3 endpoint the parent serves (`AWS_ENDPOINT_URL_S3`), with the shipped rules
 *   and the embedded ledger, as `sls invoke local` would run it.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Context } from 'aws-lambda';
import type { PipelineReport } from '../src/pipeline.js';
import { decodeCloudTrailLogStream } from '../src/sources/record-stream.js';

const [mode, file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: log-file-child.ts <floor|stream|handler> FILE');

/** What the process holds before it reads anything: Node, the loader, the modules. */
const startRssBytes = process.memoryUsage().rss;
let heapHigh = 0;
const sampleHeap = () => {
  heapHigh = Math.max(heapHigh, process.memoryUsage().heapUsed);
};
setInterval(sampleHeap, 5).unref();

async function floor(path: string): Promise<{ records: number; errors: number }> {
  const parsed = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as {
    Records: unknown[];
  };
  sampleHeap();
  return { records: parsed.Records.length, errors: 0 };
}

async function stream(path: string): Promise<{ records: number; errors: number }> {
  let records = 0;
  let errors = 0;
  for await (const result of decodeCloudTrailLogStream(
    createReadStream(path, { highWaterMark: 64 * 1024 }),
    path,
  )) {
    if ('where' in result) errors += 1;
    else records += 1;
    if ((records & 0xfff) === 0) sampleHeap();
  }
  return { records, errors };
}

async function handler(): Promise<{ records: number; errors: number }> {
  const { handler: cloudtrailLogs } = await import('../handlers/cloudtrailLogs.js');
  const notification = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: '2025-01-15T10:12:31.207Z',
        eventName: 'ObjectCreated:Put',
        s3: {
          bucket: { name: 'bench-trail', arn: 'arn:aws:s3:::bench-trail' },
          object: { key: 'AWSLogs/111122223333/CloudTrail/us-east-1/2025/01/15/trail.json.gz' },
        },
      },
    ],
  };
  const context = {
    awsRequestId: 'bench',
    getRemainingTimeInMillis: () => 300_000,
  } as unknown as Context;
  const report: PipelineReport = await cloudtrailLogs(notification, context);
  sampleHeap();
  // Events no rule matched are counted per log file, not listed.
  const records = report.objects.reduce((count, object) => count + (object.records ?? 0), 0);
  return { records, errors: report.errors.length };
}

const started = process.hrtime.bigint();
// A path that cannot decode the file at all (a string past V8's limit) is a result too.
const outcome = await (
  mode === 'floor' ? floor(file) : mode === 'stream' ? stream(file) : handler()
).catch((error: unknown) => ({ failed: error instanceof Error ? error.message : String(error) }));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
sampleHeap();
process.stdout.write(
  `${JSON.stringify({
    mode,
    ...outcome,
    seconds,
    startRssBytes,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    peakHeapBytes: heapHigh,
  })}\n`,
);
// The handler's runtime (embedded ledger) stays open for the next invocation, as in Lambda.
process.exit(0);
