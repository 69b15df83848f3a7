import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogKeyFilter } from '../../src/backtest/key-filter.js';
import type { LogFileRef } from '../../src/backtest/log-file-ref.js';
import { SourceListing } from '../../src/backtest/source-listing.js';
import type { BacktestQuery } from '../../src/backtest/report.js';
import { accounts, logKey, organizationTree, scratch, writeTree } from './run-support.js';

const noS3 = () => Promise.reject(new Error('no S3 in this test'));

async function listed(query: BacktestQuery) {
  const listing = new SourceListing(query, { s3: noS3 });
  const refs: LogFileRef[] = [];
  for await (const ref of listing.refs()) refs.push(ref);
  return { refs, notes: listing.notes };
}

function paths(refs: readonly LogFileRef[]): string[] {
  return refs.map((ref) => (ref.kind === 'file' ? ref.path : ref.key));
}

describe('LogKeyFilter.dayFolders', () => {
  it('lists the days of since…until, and the day after for late deliveries', () => {
    const filter = new LogKeyFilter({
      sources: [],
      since: '2026-10-30T12:00:00.000Z',
      until: '2026-11-02T00:00:00.000Z',
    });
    expect(filter.dayFolders()).toEqual(['2026/10/30', '2026/10/31', '2026/11/01', '2026/11/02']);
  });

  it('runs to the day after now without until, and lists everything without since', () => {
    const now = Date.parse('2026-11-30T08:00:00Z');
    expect(new LogKeyFilter({ sources: [], since: '2026-11-29' }, now).dayFolders()).toEqual([
      '2026/11/29',
      '2026/11/30',
      '2026/12/01',
    ]);
    expect(new LogKeyFilter({ sources: [] }, now).dayFolders()).toBe(undefined);
  });
});

describe('local listing', () => {
  it('walks a tree in name order, keeping .json and .json.gz files, counting the others, not entering hidden directories', async () => {
    const root = await scratch('listing-local');
    const files = organizationTree(2);
    const written = await writeTree(root, files);
    await writeFile(join(root, 'README.txt'), 'not a log file');
    await writeFile(join(root, 'event.json'), '{}');
    await mkdir(join(root, '.steward'));
    await writeFile(join(root, '.steward', 'backtest.checkpoint.json'), '{}');
    const { refs, notes } = await listed({ sources: [root] });
    expect(paths(refs)).toEqual([...written, join(root, 'event.json')].sort());
    expect(refs.every((ref) => ref.bytes > 0)).toBe(true);
    expect(notes.skipped).toBe(1);
    expect(notes.problems).toEqual([]);
  });

  it('narrows by the accounts, regions and days the paths name', async () => {
    const root = await scratch('listing-narrow');
    await writeTree(root, organizationTree(3));
    const { refs } = await listed({
      sources: [root],
      since: '2026-10-02T00:00:00.000Z',
      until: '2026-10-02T12:00:00.000Z',
      accounts: [accounts[1]],
      regions: ['eu-west-1'],
    });
    // 2026-10-02, and 2026-10-03 for the files delivered after midnight.
    expect(paths(refs)).toEqual([
      join(root, logKey(accounts[1], 'eu-west-1', '2026-10-02')),
      join(root, logKey(accounts[1], 'eu-west-1', '2026-10-03')),
    ]);
  });

  it('reads a file named whatever its name, and goes on past a missing path', async () => {
    const root = await scratch('listing-named');
    const named = join(root, 'trail.log');
    await writeFile(named, '{"Records": []}');
    const missing = join(root, 'missing');
    const { refs, notes } = await listed({ sources: [missing, named, 's3://'] });
    expect(paths(refs)).toEqual([named]);
    expect(notes.problems).toEqual([
      { where: missing, message: 'no such file or directory' },
      { where: 's3://', message: 'no bucket name: expected s3://bucket/prefix' },
    ]);
  });
});
