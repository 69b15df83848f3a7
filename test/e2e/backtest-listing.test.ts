import { randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandInput,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogFileRef } from '../../src/backtest/log-file-ref.js';
import { runBacktest } from '../../src/backtest/pool.js';
import type { BacktestQuery } from '../../src/backtest/report.js';
import { SourceListing } from '../../src/backtest/source-listing.js';
import { repoPath } from '../support/files.js';
import {
  accounts,
  days,
  logKey,
  organization,
  organizationTree,
  recordsOf,
  regions,
} from '../backtest/run-support.js';
import { region, useMoto } from './harness.js';

/** The S3 client of the listing, and the `ListObjectsV2` requests it made. */
let s3: S3Client;
let listings: ListObjectsV2CommandInput[];
let bucket: string;
const dayCount = 60;

beforeAll(async () => {
  await useMoto();
  s3 = new S3Client({ region, forcePathStyle: true });
  s3.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'ListObjectsV2Command')
        listings.push(args.input as ListObjectsV2CommandInput);
      return next(args);
    },
    { step: 'initialize', name: 'countListings' },
  );
  bucket = `backtest-${randomUUID()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // An organization trail over 60 days (2 accounts × 2 regions), with a digest beside it.
  const files = organizationTree(dayCount);
  for (let start = 0; start < files.length; start += 24)
    await Promise.all(
      files
        .slice(start, start + 24)
        .map(({ key, bytes }) =>
          s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes })),
        ),
    );
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `AWSLogs/${organization}/${accounts[0]}/CloudTrail-Digest/us-east-1/2026/10/05/digest.json.gz`,
      Body: '{}',
    }),
  );
}, 120_000);

afterAll(() => s3?.destroy());

async function list(query: BacktestQuery): Promise<{ keys: string[]; problems: string[] }> {
  listings = [];
  const listing = new SourceListing(query, { s3: async () => s3 });
  const keys: string[] = [];
  for await (const ref of listing.refs())
    keys.push((ref as Extract<LogFileRef, { kind: 's3' }>).key);
  return {
    keys,
    problems: listing.notes.problems.map((problem) => `${problem.where}: ${problem.message}`),
  };
}

/** The prefixes of the listings that went down to the objects (no delimiter). */
function objectListings(): string[] {
  return listings
    .filter((input) => input.Delimiter === undefined)
    .map((input) => input.Prefix ?? '');
}

describe('S3 listing by date prefixes', () => {
  it('lists 3 days of a 60-day organization tree with one listing per day folder of each account and region', async () => {
    const { keys, problems } = await list({
      sources: [`s3://${bucket}`],
      since: '2026-10-10T00:00:00.000Z',
      until: '2026-10-13T00:00:00.000Z',
    });
    expect(problems).toEqual([]);
    const daysListed = ['2026/10/10', '2026/10/11', '2026/10/12', '2026/10/13'];
    const expected = accounts.flatMap((account) =>
      regions.flatMap((name) =>
        daysListed.map((day) => `AWSLogs/${organization}/${account}/CloudTrail/${name}/${day}/`),
      ),
    );
    // Each of the 3 days, and the day after for the files delivered after midnight: 4, not 60.
    expect(objectListings().sort()).toEqual(expected.sort());
    // The folders above: the bucket's root, AWSLogs/, the organization's accounts, each account's regions.
    expect(
      listings.filter((input) => input.Delimiter === '/').map((input) => input.Prefix),
    ).toEqual([
      '',
      'AWSLogs/',
      `AWSLogs/${organization}/`,
      `AWSLogs/${organization}/${accounts[0]}/CloudTrail/`,
      `AWSLogs/${organization}/${accounts[1]}/CloudTrail/`,
    ]);
    expect(keys).toHaveLength(accounts.length * regions.length * 4);
  });

  it('enters only the accounts and regions asked for', async () => {
    const { keys } = await list({
      sources: [`s3://${bucket}/AWSLogs/`],
      since: '2026-10-10T00:00:00.000Z',
      until: '2026-10-11T00:00:00.000Z',
      accounts: [accounts[1]],
      regions: ['eu-west-1'],
    });
    expect(objectListings()).toEqual([
      `AWSLogs/${organization}/${accounts[1]}/CloudTrail/eu-west-1/2026/10/10/`,
      `AWSLogs/${organization}/${accounts[1]}/CloudTrail/eu-west-1/2026/10/11/`,
    ]);
    expect(listings.map((input) => input.Prefix)).not.toContain(
      `AWSLogs/${organization}/${accounts[0]}/CloudTrail/`,
    );
    expect(keys).toEqual([
      logKey(accounts[1], 'eu-west-1', '2026-10-10'),
      logKey(accounts[1], 'eu-west-1', '2026-10-11'),
    ]);
  });

  it('starts below the layout root: one account and region, or one day', async () => {
    const regionPrefix = `AWSLogs/${organization}/${accounts[0]}/CloudTrail/us-east-1/`;
    const region = await list({
      sources: [`s3://${bucket}/${regionPrefix}`],
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-11-02T00:00:00.000Z',
    });
    expect(listings.map((input) => input.Prefix)).toEqual([
      `${regionPrefix}2026/11/01/`,
      `${regionPrefix}2026/11/02/`,
    ]);
    expect(region.keys).toEqual([
      logKey(accounts[0], 'us-east-1', '2026-11-01'),
      logKey(accounts[0], 'us-east-1', '2026-11-02'),
    ]);
    const day = await list({ sources: [`s3://${bucket}/${regionPrefix}2026/10/05/`] });
    expect(listings.map((input) => input.Prefix)).toEqual([`${regionPrefix}2026/10/05/`]);
    expect(day.keys).toEqual([logKey(accounts[0], 'us-east-1', '2026-10-05')]);
  });

  it('lists each region whole when the query has no dates', async () => {
    const { keys } = await list({
      sources: [`s3://${bucket}/AWSLogs/${organization}/${accounts[0]}/`],
    });
    expect(objectListings()).toEqual([
      `AWSLogs/${organization}/${accounts[0]}/CloudTrail/eu-west-1/`,
      `AWSLogs/${organization}/${accounts[0]}/CloudTrail/us-east-1/`,
    ]);
    expect(keys).toHaveLength(regions.length * dayCount);
  });

  it('reads a single-account trail too', async () => {
    const single = `backtest-${randomUUID()}`;
    await s3.send(new CreateBucketCommand({ Bucket: single }));
    const key = `trails/AWSLogs/${accounts[0]}/CloudTrail/us-east-1/2026/10/02/a.json.gz`;
    await s3.send(new PutObjectCommand({ Bucket: single, Key: key, Body: '{}' }));
    const { keys, problems } = await list({
      sources: [`s3://${single}/trails`],
      since: '2026-10-02T00:00:00.000Z',
      until: '2026-10-03T00:00:00.000Z',
    });
    expect(problems).toEqual([]);
    expect(keys).toEqual([key]);
    expect(objectListings()).toEqual([
      `trails/AWSLogs/${accounts[0]}/CloudTrail/us-east-1/2026/10/02/`,
      `trails/AWSLogs/${accounts[0]}/CloudTrail/us-east-1/2026/10/03/`,
    ]);
  });

  it('names a bucket that cannot be listed and a prefix with no trail, and lists the other sources', async () => {
    const missing = `backtest-missing-${randomUUID()}`;
    const { keys, problems } = await list({
      sources: [
        `s3://${missing}/`,
        `s3://${bucket}/elsewhere/`,
        `s3://${bucket}/AWSLogs/${organization}/${accounts[0]}/CloudTrail/us-east-1/2026/10/07/`,
      ],
    });
    expect(problems).toEqual([
      `s3://${missing}/: could not be listed: NoSuchBucket: The specified bucket does not exist`,
      `s3://${bucket}/elsewhere/: no AWSLogs/ folder here: expected CloudTrail’s layout, AWSLogs/[o-…/]<account>/CloudTrail/<region>/YYYY/MM/DD/`,
    ]);
    expect(keys).toEqual([logKey(accounts[0], 'us-east-1', '2026-10-07')]);
  });
});

describe('runBacktest on S3', () => {
  it('reads the listed objects in the workers and finds what the records hold', async () => {
    const query: BacktestQuery = {
      sources: [`s3://${bucket}`],
      since: '2026-10-20T00:00:00.000Z',
      until: '2026-10-21T00:00:00.000Z',
      accounts: [accounts[0]],
    };
    const run = await runBacktest({
      refs: new SourceListing(query, { s3: async () => s3 }).refs(),
      rulesDir: repoPath('rules'),
      query,
      workers: 2,
    });
    // Two regions × (the day and the day after); the day after's events are filtered out.
    expect(run.report.totals.files).toBe(4);
    expect(run.report.totals.unreadableFiles).toBe(0);
    const perFile = recordsOf(accounts[0], 'us-east-1', days(20)[19] as string, 1).length;
    expect(run.report.totals.records).toBe(4 * perFile);
    expect(run.report.totals.filteredOut).toBe(2 * perFile);
    const stopped = run.report.rules.find((rule) => rule.rule === 'cloudtrail-logging-stopped');
    expect(stopped?.matches).toBe(2 * 3);
    expect(stopped?.perDay).toEqual({ '2026-10-20': 6 });
  });
});
