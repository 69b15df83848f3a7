import { isObject, stringAt, type JsonObject } from '../json/fields.js';
import { parseTime } from '../json/time.js';
import { logMessages, type LogFields } from '../telemetry/names.js';

/** The kinds of log line a trace keeps: an action's outcome and an error of the batch. */
export type TraceLineMessage = typeof logMessages.actionOutcome | typeof logMessages.error;

/**
 * One log line of a function about the traced event: where it was found, the keys every line
 * has in Powertools' conventions (level, request id), and steward's own fields (`LogFields`).
 */
export interface TraceLogLine extends Omit<LogFields, 'function'> {
  /** When the line was written (the line's own `timestamp`, else CloudWatch's), ISO 8601. */
  time: string;
  message: TraceLineMessage;
  /** The function's name in serverless.yml (`ec2State`). */
  function: string;
  level?: string;
  requestId?: string;
  logGroup: string;
  logStream: string;
}

/** Where a line was found: the log event as CloudWatch Logs returns it, and its function. */
export interface FoundLogEvent {
  message: string;
  /** Epoch milliseconds. */
  timestamp?: number;
  logGroup: string;
  logStream: string;
  /** The function whose log group it is, for a line that does not name its own. */
  function: string;
}

const keptMessages: readonly string[] = [logMessages.actionOutcome, logMessages.error];
const textFields = [
  'eventId',
  'source',
  'eventName',
  'account',
  'region',
  'rule',
  'action',
  'resource',
  'status',
  'mode',
  'ledgerKey',
  'detail',
  'kind',
  'where',
  'error',
] as const satisfies readonly (keyof LogFields)[];
const numberFields = ['retries', 'latencyMs'] as const satisfies readonly (keyof LogFields)[];

/**
 * The JSON object a log message holds: the whole message, or what follows a prefix (Lambda's
 * text log format puts the time, request id and level before a line written to the console).
 */
function jsonOf(message: string): JsonObject | undefined {
  const start = message.indexOf('{');
  if (start === -1) return undefined;
  try {
    const value: unknown = JSON.parse(message.slice(start));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The log line about `eventId` that `found` holds: an `action outcome` or `steward error` line
 * whose `eventId` field is exactly that id. Anything else is undefined: a line that is not
 * JSON, another kind of line, or a line that names the id elsewhere (another event's detail,
 * an invocation's report), which a CloudWatch Logs term filter also matches.
 *
 * @example
 * traceLine(found, '5d8c2f7e-…')?.status; // 'failed'
 */
export function traceLine(found: FoundLogEvent, eventId: string): TraceLogLine | undefined {
  const json = jsonOf(found.message);
  const message = stringAt(json, 'message');
  if (json === undefined || json.eventId !== eventId || message === undefined) return undefined;
  if (!keptMessages.includes(message)) return undefined;
  const ownTime = parseTime(json.timestamp);
  const time = ownTime ?? found.timestamp;
  const line: TraceLogLine = {
    time: time === undefined ? '' : new Date(time).toISOString(),
    message: message as TraceLineMessage,
    function: stringAt(json, 'function') ?? found.function,
    logGroup: found.logGroup,
    logStream: found.logStream,
  };
  const level = stringAt(json, 'level');
  if (level !== undefined) line.level = level;
  const requestId = stringAt(json, 'function_request_id');
  if (requestId !== undefined) line.requestId = requestId;
  for (const field of textFields) {
    const value = stringAt(json, field);
    if (value !== undefined) line[field] = value;
  }
  for (const field of numberFields) {
    const value = json[field];
    if (typeof value === 'number' && Number.isFinite(value)) line[field] = value;
  }
  return line;
}
