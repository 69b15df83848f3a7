/**
 * One log file a backtest reads: a local file or an S3 object, with its size as listed (for
 * progress and the order work is handed out in).
 *
 * @example
 * const ref: LogFileRef = { kind: 's3', bucket: 'trail', key: 'AWSLogs/…/x.json.gz', bytes: 4096 };
 * logFileName(ref); // 's3://trail/AWSLogs/…/x.json.gz'
 */
export type LogFileRef =
  | { kind: 'file'; path: string; bytes: number }
  | { kind: 's3'; bucket: string; key: string; bytes: number };

/** The name errors and samples give a log file: its path, or its `s3://` URL. */
export function logFileName(ref: LogFileRef): string {
  return ref.kind === 'file' ? ref.path : `s3://${ref.bucket}/${ref.key}`;
}
