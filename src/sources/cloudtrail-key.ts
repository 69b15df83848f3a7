/**
 * CloudTrail's S3 layout: where a trail writes its log files, so that an object is read as one
 * only where CloudTrail would have put it, and its records are held to the account its key
 * names.
 */

/** Where a CloudTrail log file's key says its records come from. */
export interface CloudTrailLogKey {
  account: string;
  region: string;
  /** `o-…` for an organization trail's file. */
  organizationId?: string;
}

/** What an S3 key in a CloudTrail bucket holds. */
export type CloudTrailKeyKind =
  | ({ kind: 'log-file' } & CloudTrailLogKey)
  /** A digest (signs log files) or an Insights file: no API calls to act on, skipped quietly. */
  | { kind: 'not-events' }
  | { kind: 'other' };

/**
 * `[prefix/]AWSLogs/[o-<id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<name>.json.gz`: the
 * prefix is the trail's optional S3 key prefix, the organization id is there for an
 * organization trail.
 */
const LOG_FILE_KEY =
  /^(?:.+\/)?AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/CloudTrail\/([a-z]{2}(?:-[a-z]+)+-\d{1,2})\/\d{4}\/\d{2}\/\d{2}\/[^/]+\.json\.gz$/;

const NOT_EVENTS_FOLDER = /(?:^|\/)CloudTrail-(?:Digest|Insight)\//;

/** How a key that is not a log file's should look, for the error that says so. */
export const CLOUDTRAIL_KEY_LAYOUT =
  'AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz, or AWSLogs/o-<id>/<account>/CloudTrail/… for an organization trail';

/**
 * Classifies an S3 key by CloudTrail's layout.
 *
 * @example
 * classifyCloudTrailKey('AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/15/x.json.gz');
 * // { kind: 'log-file', account: '123456789012', region: 'us-east-1' }
 */
export function classifyCloudTrailKey(key: string): CloudTrailKeyKind {
  const match = LOG_FILE_KEY.exec(key);
  if (match !== null) {
    const [, organizationId, account = '', region = ''] = match;
    return organizationId === undefined
      ? { kind: 'log-file', account, region }
      : { kind: 'log-file', account, region, organizationId };
  }
  return NOT_EVENTS_FOLDER.test(key) ? { kind: 'not-events' } : { kind: 'other' };
}
