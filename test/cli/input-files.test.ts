import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEventFile } from '../../src/cli/input-files.js';
import { steward } from './support.js';
import { UsageError } from '../../src/cli/output.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'steward-input-files-'));
  process.env.STEWARD_DATA_DIR = join(scratch, 'data');
});

describe('steward run refuses input it cannot read safely', () => {
  it('refuses /dev/zero before reading it', async () => {
    expect(await steward('run', '/dev/zero')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'steward run: /dev/zero: a character device, not a regular file: refused\n',
    });
  });

  it('refuses a directory without event files and a named pipe', async () => {
    const dir = join(scratch, 'events-dir');
    await mkdir(dir);
    expect(await steward('run', dir)).toMatchObject({
      code: 2,
      stderr: `steward run: ${dir}: a directory without event files (.json or .json.gz, searched recursively)\n`,
    });
    const fifo = join(scratch, 'events-fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await steward('run', fifo)).toMatchObject({
      code: 2,
      stderr: `steward run: ${fifo}: a named pipe (FIFO), not a regular file: refused\n`,
    });
  });

  it('refuses a file over the cap, from its size alone', async () => {
    // Sparse: its size is over the cap, but nothing was written and nothing is read.
    const file = join(scratch, 'huge.json');
    await writeFile(file, '');
    await truncate(file, 1024 * 1024 * 1024 + 1);
    expect(await steward('run', file)).toMatchObject({
      code: 2,
      stderr: `steward run: ${file}: 1.0 GiB is over the 1 GiB cap for an input file\n`,
    });
  });

  it('refuses /dev/zero as a facts file', async () => {
    const event = join(scratch, 'event.json');
    await writeFile(event, JSON.stringify({ Records: [] }));
    expect(await steward('run', event, '--facts', '/dev/zero')).toMatchObject({
      code: 2,
      stderr: 'steward run: /dev/zero: a character device, not a regular file: refused\n',
    });
  });
});

describe('readEventFile', () => {
  it('decodes a gzipped log file of 500,000 records, record by record', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 500_000; i += 1) {
      parts.push(
        `{"eventVersion":"1.08","eventID":"e-${i}","eventTime":"2025-01-15T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName":"b","key":"k/${i}"}}`,
      );
    }
    const file = join(scratch, 'trail.json.gz');
    await writeFile(file, gzipSync(`{"Records":[${parts.join(',')}]}`, { level: 1 }));
    const batch = await readEventFile(file);
    expect(batch.errors).toEqual([]);
    expect(batch.events).toHaveLength(500_000);
    expect(batch.events.at(-1)).toMatchObject({ id: 'e-499999', delivery: 'direct' });
  });

  it('is a usage error for a file that is not a log file and over the whole-payload cap', async () => {
    const file = join(scratch, 'large-event.json');
    await writeFile(
      file,
      JSON.stringify({ 'detail-type': 'x', detail: { pad: 'x'.repeat(2000) } }),
    );
    const limits = {
      maxBufferedBytes: 1024,
      maxStreamedBytes: 1 << 20,
      maxRecordBytes: 1 << 20,
      maxFileBytes: 1 << 20,
    };
    const error = await readEventFile(file, limits).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `${file}: 2.0 KiB is over the 1 KiB cap for a file decoded whole (only CloudTrail log files are read record by record)`,
    );
  });
});
