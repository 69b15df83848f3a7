import { BACKSLASH, QUOTE } from './json-bytes.js';

/** Top-level keys kept to describe a document that is not a log file. */
const KEYS_SHOWN = 10;
/** Longer top-level keys are only shown cut, and are never `Records`. */
const MAX_KEY_BYTES = 256;

/**
 * The top-level keys of a document, read byte by byte: whether the one just read is `Records`,
 * and the first few, to say what a document that is not a log file holds instead.
 *
 * @example
 * const keys = new TopLevelKeys();
 * keys.begin();
 * for (const byte of Buffer.from('Records"')) if (keys.push(byte)) console.log(keys.isRecords); // true
 */
export class TopLevelKeys {
  /** Whether the key read last is `Records`. */
  isRecords = false;
  private bytes: number[] = [];
  private escape = false;
  private readonly shown: string[] = [];
  private count = 0;

  /** A key starts after its opening quote. */
  begin(): void {
    this.bytes = [];
    this.escape = false;
  }

  /** One byte of the key; true when it is the key's closing quote. */
  push(byte: number): boolean {
    if (this.escape) {
      this.escape = false;
    } else if (byte === BACKSLASH) {
      this.escape = true;
    } else if (byte === QUOTE) {
      this.end();
      return true;
    }
    if (this.bytes.length <= MAX_KEY_BYTES) this.bytes.push(byte);
    return false;
  }

  /** The keys read, as a message names them: "an object with keys "a", "b"". */
  describe(): string {
    return this.count === 0
      ? 'an empty object'
      : `an object with keys ${this.shown.join(', ')}${this.count > this.shown.length ? `, ... (${this.count} keys)` : ''}`;
  }

  private end(): void {
    const raw = Buffer.from(this.bytes).toString('utf8');
    let key = raw;
    if (this.bytes.length > MAX_KEY_BYTES) key = `${raw.slice(0, 32)}…`;
    else if (raw.includes('\\')) {
      try {
        key = JSON.parse(`"${raw}"`) as string;
      } catch {
        // A bad escape in a key is not Records; the key is shown as written.
      }
    }
    this.isRecords = key === 'Records';
    this.count += 1;
    if (this.shown.length < KEYS_SHOWN) this.shown.push(JSON.stringify(key));
  }
}
