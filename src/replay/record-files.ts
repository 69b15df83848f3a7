import { StewardError } from '../errors.js';
import { arrayAt, isObject, stringAt } from '../json/fields.js';
import { parseJsonText, readLocalFile, sourceLimits, type SourceLimits } from '../sources/index.js';
import type { DeadLetter } from './replayer.js';

/**
 * One element of a file: an SQS message as `aws sqs receive-message` prints it (its `Body`
 * holds the record as text), or an invocation record itself.
 */
function letterOf(element: unknown, where: string): DeadLetter {
  const body = isObject(element) ? element.Body : undefined;
  if (isObject(element) && typeof body === 'string') {
    const messageId = stringAt(element, 'MessageId');
    return {
      where: messageId === undefined ? where : `${where} (message ${messageId})`,
      ...(messageId === undefined ? {} : { messageId }),
      body: { text: body },
    };
  }
  return { where, body: { value: element } };
}

/** The letters of a file that parsed as one JSON document. */
function lettersOfDocument(value: unknown, file: string): DeadLetter[] {
  const messages = isObject(value) ? arrayAt(value, 'Messages') : undefined;
  if (messages !== undefined)
    return messages.map((message, index) => letterOf(message, `${file}: Messages[${index}]`));
  if (Array.isArray(value))
    return value.map((element, index) => letterOf(element, `${file}: [${index}]`));
  return [letterOf(value, file)];
}

/** The letters of a JSON Lines file: a line that is not JSON is a letter that says so. */
function lettersOfLines(lines: readonly string[], file: string): DeadLetter[] {
  const letters: DeadLetter[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `${file}: line ${index + 1}`;
    const parsed = parseJsonText(line, where);
    letters.push(parsed.ok ? letterOf(parsed.value, where) : { where, body: { text: line } });
  }
  return letters;
}

/**
 * A file of dead-lettered invocation records is unusable: it cannot be read, is not JSON (nor
 * JSON Lines), or holds no record. The message names the file.
 *
 * @example
 * throw new RecordFileError('dlq.json', 'holds no invocation record');
 */
export class RecordFileError extends StewardError {
  constructor(
    readonly file: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${problem}`, options);
    this.name = 'RecordFileError';
  }
}

/**
 * The dead-lettered messages a file holds: one invocation record, an array of them, JSON
 * Lines of them, or what `aws sqs receive-message` prints (`{"Messages": [{"Body": "…"}]}`),
 * each named by the file and its place in it. A file that cannot be read, is neither JSON nor
 * JSON Lines, or holds nothing is a `RecordFileError`.
 *
 * @example
 * for (const letter of await readRecordFile('dlq-export.json')) await replayer.replay(letter);
 */
export async function readRecordFile(
  file: string,
  limits: SourceLimits = sourceLimits(),
): Promise<DeadLetter[]> {
  let text: string;
  try {
    text = (await readLocalFile(file, limits.maxBufferedBytes)).toString('utf8');
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new RecordFileError(
      file,
      message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message,
      { cause },
    );
  }
  const whole = parseJsonText(text, file);
  let letters: DeadLetter[];
  if (whole.ok) letters = lettersOfDocument(whole.value, file);
  else {
    const lines = text.split(/\r?\n/);
    const firstLine = lines.find((line) => line.trim() !== '') ?? '';
    // JSON Lines when its first line is a document of its own; otherwise a broken document.
    if (!parseJsonText(firstLine, file).ok) throw new RecordFileError(file, whole.error.message);
    letters = lettersOfLines(lines, file);
  }
  if (letters.length === 0) throw new RecordFileError(file, 'holds no invocation record');
  return letters;
}
