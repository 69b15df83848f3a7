import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const organization = 'o-abcdefghij';
export const accounts = ['111122223333', '444455556666'] as const;
export const regions = ['us-east-1', 'eu-west-1'] as const;
/** The days of the generated trees: `count` days from 2026-10-01. */
export function days(count: number): string[] {
  const start = Date.parse('2026-10-01T00:00:00Z');
  return Array.from({ length: count }, (_, index) =>
    new Date(start + index * 86_400_000).toISOString().slice(0, 10),
  );
}

/** A scratch directory of its own. */
export function scratch(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `steward-${name}-`));
}

const alice = {
  type: 'IAMUser',
  principalId: 'AIDAEXAMPLEALICE00001',
  userName: 'alice',
};

/**
 * The records of one log file: calls the shipped rules act on (StopLogging, CreateAccessKey,
 * CreateUser) among calls none listens to, all of the file's account, region and day.
 */
export function recordsOf(account: string, region: string, day: string, seed: number): unknown[] {
  const records: unknown[] = [];
  const record = (index: number, eventSource: string, eventName: string, extra: object) => ({
    eventVersion: '1.09',
    eventID: `00000000-0000-4000-8${String(seed).padStart(3, '0')}-${String(index).padStart(12, '0')}`,
    eventTime: `${day}T${String(index % 24).padStart(2, '0')}:15:00Z`,
    eventSource,
    eventName,
    eventType: 'AwsApiCall',
    awsRegion: region,
    sourceIPAddress: '198.51.100.23',
    userAgent: 'aws-cli/2.22.0',
    userIdentity: {
      ...alice,
      arn: `arn:aws:iam::${account}:user/alice`,
      accountId: account,
    },
    recipientAccountId: account,
    responseElements: null,
    ...extra,
  });
  for (let index = 0; index < 12; index += 1) {
    if (index % 5 === 0)
      records.push(
        record(index, 'cloudtrail.amazonaws.com', 'StopLogging', {
          requestParameters: { name: `arn:aws:cloudtrail:${region}:${account}:trail/main` },
        }),
      );
    else if (index % 7 === 0)
      records.push(
        record(index, 'iam.amazonaws.com', 'CreateAccessKey', {
          requestParameters: { userName: `user-${seed}` },
          responseElements: {
            accessKey: {
              accessKeyId: `AKIAEXAMPLE${String(seed).padStart(9, '0')}`,
              status: 'Active',
              userName: `user-${seed}`,
              createDate: `${day}T10:00:00Z`,
            },
          },
        }),
      );
    else
      records.push(
        record(index, 'ec2.amazonaws.com', 'DescribeInstances', { requestParameters: null }),
      );
  }
  return records;
}

/** A log file's key in an organization trail's layout. */
export function logKey(account: string, region: string, day: string, part = 0): string {
  const [year, month, date] = day.split('-');
  const stamp = `${year}${month}${date}T1000Z`;
  return `AWSLogs/${organization}/${account}/CloudTrail/${region}/${year}/${month}/${date}/${account}_CloudTrail_${region}_${stamp}_${part}.json.gz`;
}

/** Every log file of an organization tree of `accounts × regions × days`, key and gzipped bytes. */
export function organizationTree(dayCount: number): { key: string; bytes: Uint8Array }[] {
  const files: { key: string; bytes: Uint8Array }[] = [];
  let seed = 0;
  for (const account of accounts)
    for (const region of regions)
      for (const day of days(dayCount)) {
        seed += 1;
        const records = recordsOf(account, region, day, seed);
        files.push({
          key: logKey(account, region, day),
          bytes: gzipSync(JSON.stringify({ Records: records })),
        });
      }
  return files;
}

/** Writes the tree's files under `root`; returns their paths. */
export async function writeTree(
  root: string,
  files: readonly { key: string; bytes: Uint8Array }[],
): Promise<string[]> {
  const paths: string[] = [];
  for (const { key, bytes } of files) {
    const path = join(root, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    paths.push(path);
  }
  return paths;
}
