/**
 * Where a CloudTrail log file's key (or a local copy's path) says its records come from:
 * `[prefix/]AWSLogs/[o-<id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/<file>`. A backtest
 * narrows by account, region and day on the key alone, before a file is read.
 */
export interface LogKey {
  /** `o-…` for an organization trail's file. */
  organization?: string;
  account: string;
  region: string;
  /** The UTC day the key's folders name, `2026-10-31`. */
  day: string;
}

const LOG_KEY =
  /(?:^|\/)AWSLogs\/(?:(o-[a-z0-9]{10,32})\/)?(\d{12})\/CloudTrail\/([a-z]{2}(?:-[a-z]+)+-\d{1,2})\/(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/;

/**
 * Reads account, region and day (and the organization) from a log file's key or path;
 * undefined when it does not follow CloudTrail's layout.
 *
 * @example
 * parseLogKey('AWSLogs/o-abc1234567/111122223333/CloudTrail/eu-west-1/2026/10/31/x.json.gz');
 * // { organization: 'o-abc1234567', account: '111122223333', region: 'eu-west-1', day: '2026-10-31' }
 */
export function parseLogKey(key: string): LogKey | undefined {
  const match = LOG_KEY.exec(key);
  if (match === null) return undefined;
  const [, organization, account = '', region = '', year, month, day] = match;
  const parsed = { account, region, day: `${year}-${month}-${day}` };
  return organization === undefined ? parsed : { organization, ...parsed };
}
