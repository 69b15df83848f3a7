/**
 * How much input the decoders accept. Every cap is an error naming the cap, never a crash: a
 * gzip bomb, a log file with one giant record or `/dev/zero` stops at a cap instead of taking
 * the process's memory.
 *
 * @example
 * const limits = sourceLimits(process.env);
 * const decoded = decodeBytes(bytes, 'events/x.json', limits);
 */
export interface SourceLimits {
  /**
   * The largest decompressed size of a payload decoded whole (an event file that is not a
   * CloudTrail log file, `awslogs.data`). Decoding holds the bytes, their text and the parsed
   * value at once, so it stays well below the function's memory.
   */
  maxBufferedBytes: number;
  /**
   * The largest decompressed size of a CloudTrail log file decoded record by record. Memory
   * does not grow with it (one chunk and its records are held); it bounds the work one file
   * can cause.
   */
  maxStreamedBytes: number;
  /** The largest single record of a CloudTrail log file; a larger one is an error for it alone. */
  maxRecordBytes: number;
  /** The largest local file read (`steward run FILE`, a rule test's `eventFile`). */
  maxFileBytes: number;
}

const MiB = 1024 * 1024;

/** The caps where the function's memory is not known (the CLI, tests). */
export const DEFAULT_SOURCE_LIMITS: Readonly<SourceLimits> = Object.freeze({
  maxBufferedBytes: 256 * MiB,
  maxStreamedBytes: 4096 * MiB,
  maxRecordBytes: 1 * MiB,
  maxFileBytes: 1024 * MiB,
});

/**
 * A whole-payload decode holds the bytes, their text and the parsed value at once: 59 MiB of
 * CloudWatch Logs JSON took 280 MB more RSS to decode, nearly five times its size. An eighth of
 * the function's memory keeps that peak near 60 % of it, leaving the rest to the runtime and
 * the pipeline.
 */
const BUFFERED_SHARE_OF_MEMORY = 1 / 8;

/**
 * The caps for this process: in Lambda, `maxBufferedBytes` follows the function's configured
 * memory (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB) and is an eighth of it; elsewhere, and for
 * the caps that do not depend on memory, `DEFAULT_SOURCE_LIMITS`.
 *
 * @example
 * sourceLimits({ AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512' }).maxBufferedBytes; // 64 MiB
 */
export function sourceLimits(env: NodeJS.ProcessEnv = process.env): SourceLimits {
  const memoryMb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  if (!Number.isInteger(memoryMb) || memoryMb <= 0) return { ...DEFAULT_SOURCE_LIMITS };
  return {
    ...DEFAULT_SOURCE_LIMITS,
    maxBufferedBytes: Math.floor(memoryMb * MiB * BUFFERED_SHARE_OF_MEMORY),
  };
}

/**
 * A byte count as people read caps: `64 MiB`, `1.5 KiB`, `12 bytes`.
 *
 * @example
 * formatBytes(64 * 1024 * 1024); // '64 MiB'
 */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} bytes`;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}
