import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRecordFile, RecordFileError } from '../../src/replay/record-files.js';

let dir: string;
let recordText: string;
let record: unknown;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-replay-files-'));
  recordText = await readFile(
    new URL('../fixtures/replay/invocation-record-ec2State.json', import.meta.url),
    'utf8',
  );
  record = JSON.parse(recordText);
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function refusal(path: string): Promise<RecordFileError> {
  try {
    await readRecordFile(path);
  } catch (error) {
    if (error instanceof RecordFileError) return error;
    throw error;
  }
  throw new Error(`${path} was read`);
}

describe('readRecordFile', () => {
  it('reads one record', async () => {
    const path = await file('one.json', recordText);
    expect(await readRecordFile(path)).toEqual([{ where: path, body: { value: record } }]);
  });

  it('reads an array of records, each named by its index', async () => {
    const path = await file('array.json', JSON.stringify([record, record]));
    expect((await readRecordFile(path)).map((letter) => letter.where)).toEqual([
      `${path}: [0]`,
      `${path}: [1]`,
    ]);
  });

  it('reads JSON Lines, keeping a broken line as a letter that says so', async () => {
    const line = JSON.stringify(record);
    const path = await file('lines.jsonl', `${line}\n\n{"requestContext":\n${line}\n`);
    const letters = await readRecordFile(path);
    expect(letters).toEqual([
      { where: `${path}: line 1`, body: { value: record } },
      { where: `${path}: line 3`, body: { text: '{"requestContext":' } },
      { where: `${path}: line 4`, body: { value: record } },
    ]);
  });

  it('reads what aws sqs receive-message prints, bodies as text, named by message id', async () => {
    const path = await file(
      'receive.json',
      JSON.stringify({
        Messages: [
          { MessageId: 'm-1', ReceiptHandle: 'r-1', MD5OfBody: 'x', Body: recordText },
          { MessageId: 'm-2', ReceiptHandle: 'r-2', Body: 'not json' },
        ],
      }),
    );
    expect(await readRecordFile(path)).toEqual([
      { where: `${path}: Messages[0] (message m-1)`, messageId: 'm-1', body: { text: recordText } },
      { where: `${path}: Messages[1] (message m-2)`, messageId: 'm-2', body: { text: 'not json' } },
    ]);
  });

  it('refuses a file that is neither JSON nor JSON Lines, saying where', async () => {
    const path = await file('broken.json', '{\n  "requestContext": {\n    "functionArn": \n');
    const error = await refusal(path);
    expect(error.file).toBe(path);
    expect(error.message).toMatch(new RegExp(`^${path}: invalid JSON at line 4, column 1: `));
  });

  it('refuses a file that holds no record', async () => {
    expect((await refusal(await file('empty-array.json', '[]'))).message).toMatch(
      /empty-array\.json: holds no invocation record$/,
    );
    expect((await refusal(await file('no-messages.json', '{"Messages": []}'))).message).toMatch(
      /no-messages\.json: holds no invocation record$/,
    );
  });

  it('refuses a file that cannot be read, and a directory', async () => {
    const missing = join(dir, 'missing.json');
    expect((await refusal(missing)).message).toBe(`${missing}: cannot read: ENOENT`);
    expect((await refusal(dir)).message).toBe(`${dir}: a directory, not a regular file: refused`);
  });
});
