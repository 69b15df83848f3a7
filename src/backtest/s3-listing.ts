import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { describeFailure } from '../sources/plain-chunks.js';
import { looksLikeLogFile, type LogKeyFilter } from './key-filter.js';
import type { LogFileRef } from './log-file-ref.js';
import type { ListingNotes } from './listing-notes.js';

/** A bucket and key prefix from `s3://bucket/prefix`. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/**
 * `s3://bucket[/prefix]` as a bucket and a prefix; undefined for a text that is not an S3 URL,
 * and an error message for one without a bucket.
 *
 * @example
 * parseS3Url('s3://trail/AWSLogs/o-abc1234567/'); // { bucket: 'trail', prefix: 'AWSLogs/o-abc1234567/' }
 */
export function parseS3Url(text: string): S3Location | { error: string } | undefined {
  if (!text.startsWith('s3://')) return undefined;
  const rest = text.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  if (bucket === '') return { error: 'no bucket name: expected s3://bucket/prefix' };
  return { bucket, prefix: slash === -1 ? '' : rest.slice(slash + 1) };
}

const organizationFolder = /^o-[a-z0-9]{10,32}$/;
const accountFolder = /^\d{12}$/;

/**
 * The log files under an S3 location in CloudTrail's layout, listed by date prefixes so that a
 * range of days never lists the whole bucket: the organizations, accounts and regions are
 * listed folder by folder (`Delimiter: '/'`), only those `--accounts`/`--regions` ask for are
 * entered, then each region is listed one day folder at a time (the whole region when the
 * query has no `since`). A location below the layout's root (an organization, an account, a
 * region, a day) starts from there. A listing that fails is a problem in `notes` naming the
 * prefix, and the other prefixes go on.
 *
 * @example
 * for await (const ref of listS3LogFiles({ bucket: 'trail', prefix: '' }, filter, s3, notes)) queue.push(ref);
 */
export async function* listS3LogFiles(
  location: S3Location,
  filter: LogKeyFilter,
  s3: () => Promise<S3Client>,
  notes: ListingNotes,
): AsyncGenerator<LogFileRef> {
  const lister = new S3Lister(location.bucket, s3, notes);
  const { prefix } = location;
  const at = prefix === 'AWSLogs' || prefix.startsWith('AWSLogs/') ? 0 : prefix.indexOf('/AWSLogs');
  if (at === -1) {
    const root = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    const base = `${root}AWSLogs/`;
    const folders = await lister.folders(root);
    if (folders === undefined) return;
    if (!folders.includes(base)) {
      notes.problem(
        lister.url(root),
        'no AWSLogs/ folder here: expected CloudTrail’s layout, AWSLogs/[o-…/]<account>/CloudTrail/<region>/YYYY/MM/DD/',
      );
      return;
    }
    yield* lister.underAWSLogs(base, [], filter);
    return;
  }
  const start = at === 0 ? 0 : at + 1;
  const base = `${prefix.slice(0, start)}AWSLogs/`;
  const below = prefix
    .slice(start + 'AWSLogs'.length)
    .split('/')
    .filter((part) => part !== '');
  yield* lister.underAWSLogs(base, below, filter, prefix);
}

/** The requests of one bucket's listing. */
class S3Lister {
  constructor(
    private readonly bucket: string,
    private readonly s3: () => Promise<S3Client>,
    private readonly notes: ListingNotes,
  ) {}

  url(prefix: string): string {
    return `s3://${this.bucket}/${prefix}`;
  }

  /**
   * Below `AWSLogs/`: `given` holds the folders the location named past it (an organization,
   * an account, `CloudTrail`, a region, then day folders); what it leaves open is listed.
   */
  async *underAWSLogs(
    base: string,
    given: readonly string[],
    filter: LogKeyFilter,
    location?: string,
  ): AsyncGenerator<LogFileRef> {
    const [first, ...rest] = given;
    if (first !== undefined && organizationFolder.test(first)) {
      yield* this.accounts(`${base}${first}/`, rest, filter, location);
      return;
    }
    if (first !== undefined) {
      yield* this.accounts(base, given, filter, location);
      return;
    }
    const folders = await this.folders(base);
    for (const folder of folders ?? []) {
      const name = folder.slice(base.length, -1);
      if (organizationFolder.test(name)) yield* this.accounts(folder, [], filter);
      else if (accountFolder.test(name) && filter.admitsAccount(name))
        yield* this.regions(folder, [], filter);
    }
  }

  private async *accounts(
    base: string,
    given: readonly string[],
    filter: LogKeyFilter,
    location?: string,
  ): AsyncGenerator<LogFileRef> {
    const [account, ...rest] = given;
    if (account !== undefined) {
      yield* this.regions(`${base}${account}/`, rest, filter, location);
      return;
    }
    for (const folder of (await this.folders(base)) ?? []) {
      const name = folder.slice(base.length, -1);
      if (accountFolder.test(name) && filter.admitsAccount(name))
        yield* this.regions(folder, [], filter);
    }
  }

  private async *regions(
    accountBase: string,
    given: readonly string[],
    filter: LogKeyFilter,
    location?: string,
  ): AsyncGenerator<LogFileRef> {
    const [cloudTrail, region, ...days] = given;
    if (cloudTrail !== undefined && cloudTrail !== 'CloudTrail') {
      // Not CloudTrail's folder (CloudTrail-Digest, a partial name): what is there is listed as given.
      yield* this.files(location ?? accountBase, filter);
      return;
    }
    const base = `${accountBase}CloudTrail/`;
    if (region !== undefined) {
      if (days.length > 0) yield* this.files(location ?? base, filter);
      else yield* this.days(`${base}${region}/`, filter);
      return;
    }
    for (const folder of (await this.folders(base)) ?? [])
      if (filter.admitsRegion(folder.slice(base.length, -1))) yield* this.days(folder, filter);
  }

  private async *days(regionBase: string, filter: LogKeyFilter): AsyncGenerator<LogFileRef> {
    const days = filter.dayFolders();
    if (days === undefined) yield* this.files(regionBase, filter);
    else for (const day of days) yield* this.files(`${regionBase}${day}/`, filter);
  }

  /** The sub-folders of a prefix (each ending in `/`); undefined when it could not be listed. */
  async folders(prefix: string): Promise<string[] | undefined> {
    const folders: string[] = [];
    try {
      for await (const page of this.pages(prefix, '/'))
        for (const common of page.CommonPrefixes ?? [])
          if (common.Prefix !== undefined) folders.push(common.Prefix);
    } catch (error) {
      this.notes.problem(this.url(prefix), `could not be listed: ${describeFailure(error)}`);
      return undefined;
    }
    return folders;
  }

  /** Every log file under a prefix that the filter admits. */
  private async *files(prefix: string, filter: LogKeyFilter): AsyncGenerator<LogFileRef> {
    try {
      for await (const page of this.pages(prefix))
        for (const object of page.Contents ?? []) {
          const key = object.Key;
          if (key === undefined || key.endsWith('/')) continue;
          if (!looksLikeLogFile(key)) this.notes.skipped += 1;
          else if (filter.admitsKey(key))
            yield { kind: 's3', bucket: this.bucket, key, bytes: object.Size ?? 0 };
        }
    } catch (error) {
      this.notes.problem(this.url(prefix), `could not be listed: ${describeFailure(error)}`);
    }
  }

  private async *pages(prefix: string, delimiter?: string) {
    const client = await this.s3();
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      yield page;
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }
}
