import { formatBytes } from './limits.js';
import { RecordError } from './log-file-errors.js';

/** One element of the top-level `Records` array, as the bytes of its JSON text. */
export interface ScannedRecord {
  /** Its position in `Records`. */
  index: number;
  /** The byte offset of its first byte in the (decompressed) document. */
  offset: number;
  bytes: Uint8Array;
  /**
   * Where `bytes` start in the chunk that completed the record, when they are a view of it;
   * undefined when the record was gathered from several chunks.
   */
  chunkStart?: number;
}

/**
 * The bytes of the record being read, gathered across the chunks it spans: a record within one
 * chunk is a view of it, a longer one a copy of its parts, and one over the cap is only
 * measured, then reported.
 *
 * @example
 * const record = new RecordBytes('s3://bucket/key', 1024 * 1024);
 * record.begin(offset, offset - consumed);
 * const scanned = record.end(chunk, end); // a ScannedRecord, or a RecordError over the cap
 */
export class RecordBytes {
  /** The index the record being read has in `Records`, or the next one will. */
  index = 0;
  /** The byte offset of the record being read. */
  offset = 0;
  private parts: Uint8Array[] = [];
  private size = 0;
  /** Where the record's part in the current chunk starts. */
  private partStart = 0;

  constructor(
    private readonly where: string,
    private readonly maxRecordBytes: number,
  ) {}

  /** A new chunk: the record, if one is being read, goes on from its start. */
  nextChunk(): void {
    this.partStart = 0;
  }

  /** A record starts at byte `offset` of the document, `partStart` of the current chunk. */
  begin(offset: number, partStart: number): void {
    this.offset = offset;
    this.partStart = partStart;
    this.parts = [];
    this.size = 0;
  }

  /**
   * The chunk ended inside the record: keep a copy of its part (the chunk's owner may reuse
   * it; a Buffer's `slice` would only be a view), unless the record is already too large,
   * which is then only measured.
   */
  keepPart(chunk: Uint8Array): void {
    this.size += chunk.length - this.partStart;
    if (this.size > this.maxRecordBytes) this.parts = [];
    else this.parts.push(new Uint8Array(chunk.subarray(this.partStart)));
  }

  /** The record ends at `end`; its bytes are valid until the next chunk. */
  end(chunk: Uint8Array, end: number): ScannedRecord | RecordError {
    const start = this.partStart;
    const size = this.size + end - start;
    const parts = this.parts;
    const index = this.index;
    const offset = this.offset;
    this.parts = [];
    this.size = 0;
    this.index += 1;
    if (size > this.maxRecordBytes) {
      return new RecordError(
        `record at byte offset ${offset} is ${formatBytes(size)}, over the ${formatBytes(this.maxRecordBytes)} cap for one record; skipped`,
        `${this.where}: Records[${index}]`,
      );
    }
    if (parts.length === 0)
      return { index, offset, bytes: chunk.subarray(start, end), chunkStart: start };
    parts.push(chunk.subarray(start, end));
    return { index, offset, bytes: Buffer.concat(parts, size) };
  }
}
