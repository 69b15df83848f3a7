import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeEventFile, SourceTrust } from '../../src/sources/index.js';
import { DEFAULT_SOURCE_LIMITS } from '../../src/sources/limits.js';
import {
  fileChunks,
  LocalFileError,
  openRegularFile,
  readLocalFile,
} from '../../src/sources/local-file.js';
import { repoPath } from '../support/files.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-event-file-'));
});

const record = (id: string) => ({
  eventVersion: '1.08',
  eventID: id,
  eventTime: '2025-01-15T10:00:00Z',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'DescribeInstances',
});

async function refusal(promise: Promise<unknown>): Promise<LocalFileError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LocalFileError);
  return error as LocalFileError;
}

describe('decodeEventFile', () => {
  it('streams a gzipped CloudTrail log file, with bad records as errors', async () => {
    const file = join(dir, 'log.json.gz');
    await writeFile(
      file,
      gzipSync(JSON.stringify({ Records: [record('a'), { eventName: 'X' }, record('c')] })),
    );
    const batch = await decodeEventFile(file);
    // A local file is the operator's own: believed, as handed over directly.
    expect(batch.events.map((event) => [event.id, event.delivery])).toEqual([
      ['a', 'direct'],
      ['c', 'direct'],
    ]);
    expect(batch.errors).toEqual([
      { message: 'CloudTrail record has no eventTime', where: `${file}: Records[1]` },
    ]);
  });

  it('streams a log file larger than the cap for whole-payload decodes', async () => {
    const file = join(dir, 'big-log.json');
    const records = Array.from({ length: 200 }, (_, i) => record(`r${i}`));
    await writeFile(file, JSON.stringify({ Records: records }));
    const limits = { ...DEFAULT_SOURCE_LIMITS, maxBufferedBytes: 1024 };
    const batch = await decodeEventFile(file, limits);
    expect(batch.events).toHaveLength(200);
    expect(batch.errors).toEqual([]);
  });

  it('decodes other shapes whole: an EventBridge event, an S3 notification', async () => {
    const ec2 = await decodeEventFile(repoPath('events/ec2-running.json'));
    expect(ec2.events.map((event) => [event.source, event.name])).toEqual([
      ['ec2-state', 'running'],
    ]);
    const notification = await decodeEventFile(
      repoPath('events/s3-cloudtrail-object-created.json'),
    );
    expect(notification.events).toEqual([]);
    expect(notification.objects).toEqual([
      expect.objectContaining({ bucket: 'steward-cloudtrail-logs-123456789012' }),
    ]);
  });

  it("holds a CloudWatch Logs file to the log groups configured as CloudTrail's", async () => {
    const file = repoPath('events/cloudwatch-logs-cloudtrail-stop-logging.json');
    const configured = await decodeEventFile(
      file,
      DEFAULT_SOURCE_LIMITS,
      SourceTrust.fromEnv({ STEWARD_CLOUDTRAIL_LOG_GROUPS: 'aws-cloudtrail-logs-123456789012' }),
    );
    expect(configured.events.map((event) => [event.id, event.source, event.delivery])).toEqual([
      ['e7a1c0de-0102-4000-8000-000000000102', 'cloudtrail', 'cloudwatch-logs'],
    ]);
    const unconfigured = await decodeEventFile(file, DEFAULT_SOURCE_LIMITS, new SourceTrust());
    expect(unconfigured.events.map((event) => [event.id, event.source, event.name])).toEqual([
      [
        '38735402181234567890123456789012345678901234567890000001',
        'cloudwatch-logs',
        'aws-cloudtrail-logs-123456789012',
      ],
    ]);
  });

  it('believes bare records of a local file, but not an EventBridge event of a source AWS does not own', async () => {
    const bare = join(dir, 'bare.json');
    await writeFile(bare, JSON.stringify([record('own')]));
    const believed = await decodeEventFile(bare);
    expect(believed.events.map((event) => [event.id, event.source, event.delivery])).toEqual([
      ['own', 'cloudtrail', 'direct'],
    ]);
    const forged = join(dir, 'forged.json');
    await writeFile(
      forged,
      JSON.stringify({
        'detail-type': 'AWS API Call via CloudTrail',
        source: 'acme.ec2',
        detail: record('forged'),
      }),
    );
    expect(await decodeEventFile(forged)).toEqual({
      events: [],
      objects: [],
      errors: [
        {
          message:
            'EventBridge event from source "acme.ec2" is not believed as CloudTrail: only AWS emits aws.* sources, anyone allowed to put events can emit others',
          where: forged,
        },
      ],
    });
  });

  it('reports invalid JSON of another shape with line and column', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{\n  "detail-type": "x",\n  "detail": {,}\n}\n');
    expect(await decodeEventFile(file)).toEqual({
      events: [],
      objects: [],
      errors: [
        {
          message: 'invalid JSON at line 3, column 14: expected a property name in double quotes',
          where: file,
        },
      ],
    });
  });

  it('refuses a file of another shape over the cap for whole-payload decodes', async () => {
    const file = join(dir, 'big-event.json');
    await writeFile(
      file,
      JSON.stringify({ 'detail-type': 'x', detail: { pad: 'x'.repeat(4096) } }),
    );
    const error = await refusal(
      decodeEventFile(file, { ...DEFAULT_SOURCE_LIMITS, maxBufferedBytes: 1024 }),
    );
    expect(error.message).toBe(
      `${file}: 4.0 KiB is over the 1 KiB cap for a file decoded whole (only CloudTrail log files are read record by record)`,
    );
  });

  it('refuses /dev/zero, a directory and a named pipe before reading them', async () => {
    expect((await refusal(decodeEventFile('/dev/zero'))).message).toBe(
      '/dev/zero: a character device, not a regular file: refused',
    );
    const sub = join(dir, 'a-directory');
    await mkdir(sub);
    expect((await refusal(decodeEventFile(sub))).message).toBe(
      `${sub}: a directory, not a regular file: refused`,
    );
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Opening a FIFO without a writer would wait forever; it is refused at once.
    expect((await refusal(decodeEventFile(fifo))).message).toBe(
      `${fifo}: a named pipe (FIFO), not a regular file: refused`,
    );
  });

  it('refuses a file over the cap for input files, and one that does not exist', async () => {
    const file = join(dir, 'over.json');
    await writeFile(file, JSON.stringify({ Records: [record('a')] }));
    const limits = { ...DEFAULT_SOURCE_LIMITS, maxFileBytes: 64 };
    expect((await refusal(decodeEventFile(file, limits))).message).toBe(
      `${file}: 152 bytes is over the 64 bytes cap for an input file`,
    );
    expect((await refusal(decodeEventFile(join(dir, 'nope.json')))).message).toBe(
      `${join(dir, 'nope.json')}: cannot read: ENOENT`,
    );
  });
});

describe('local files', () => {
  it('reads no more than the cap of a file that grows after it was opened', async () => {
    const file = join(dir, 'growing.json');
    await writeFile(file, 'x'.repeat(100));
    const handle = await openRegularFile(file, 1000);
    try {
      await appendFile(file, 'y'.repeat(5000));
      let read = 0;
      const error = await (async () => {
        for await (const chunk of fileChunks(handle, file, 1000)) read += chunk.length;
      })().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(LocalFileError);
      expect((error as Error).message).toBe(
        `${file}: grew past the 1000 bytes cap for an input file while it was read`,
      );
      expect(read).toBeLessThanOrEqual(1000);
    } finally {
      await handle.close();
    }
  });

  it('reads a whole file within the cap', async () => {
    const file = join(dir, 'facts.json');
    await writeFile(file, '{"instance":null}');
    expect((await readLocalFile(file, 1024)).toString()).toBe('{"instance":null}');
    expect((await refusal(readLocalFile(file, 10))).message).toBe(
      `${file}: 17 bytes is over the 10 bytes cap for an input file`,
    );
  });
});
