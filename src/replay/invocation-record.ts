import { StewardError } from '../errors.js';
import { isObject, objectAt, stringAt } from '../json/fields.js';
import { parseJsonText } from '../sources/index.js';

/** The stack's functions, by the name `serverless.yml` gives them. */
export const STACK_FUNCTIONS = [
  'ec2State',
  'cloudtrail',
  'cloudtrailLogs',
  'cloudwatchLogs',
  'findings',
  'sweep',
] as const;

/** One of the stack's functions. */
export type StackFunction = (typeof STACK_FUNCTIONS)[number];

/**
 * A dead-lettered message that cannot be replayed: its body is not JSON, it is not an
 * invocation record, it names a function outside the stack, or its payload holds no event.
 * `where` names the message.
 *
 * @example
 * throw new DeadLetterError('the invocation record has no requestPayload', 'message 0f3c…');
 */
export class DeadLetterError extends StewardError {
  constructor(
    message: string,
    readonly where: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeadLetterError';
  }
}

/**
 * What Lambda sends to an on-failure destination after an asynchronous invocation failed for
 * good (its retries exhausted, or the event too old): the invocation's payload and context.
 */
export interface InvocationRecord {
  /** The stack function that failed, by the suffix of its name. */
  function: StackFunction;
  /** `requestContext.functionArn`, as Lambda wrote it (possibly with a `:$LATEST` qualifier). */
  functionArn: string;
  /** The failed invocation's request id, to find it in the function's logs. */
  requestId?: string;
  /** `RetriesExhausted` or `EventAgeExceeded`. */
  condition?: string;
  approximateInvokeCount?: number;
  /** The event the function was invoked with. */
  requestPayload: unknown;
  /** The function's last error (`errorType: errorMessage`), when Lambda kept it. */
  lastError?: string;
}

/**
 * The stack function an ARN names, by the suffix the Serverless Framework gives its functions'
 * names (`<service>-<stage>-ec2State`); undefined for any other function.
 *
 * @example
 * functionOfArn('arn:aws:lambda:us-east-1:123456789012:function:steward-prod-cloudtrail:$LATEST'); // 'cloudtrail'
 */
export function functionOfArn(functionArn: string): StackFunction | undefined {
  const parts = functionArn.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'lambda' || parts[5] !== 'function')
    return undefined;
  const name = parts[6] ?? '';
  return STACK_FUNCTIONS.find((candidate) => name.endsWith(`-${candidate}`));
}

function lastErrorOf(responsePayload: unknown): string | undefined {
  if (!isObject(responsePayload)) return undefined;
  const message = stringAt(responsePayload, 'errorMessage');
  if (message === undefined) return undefined;
  const type = stringAt(responsePayload, 'errorType');
  return type === undefined ? message : `${type}: ${message}`;
}

/**
 * An invocation record from a message body (JSON text, as SQS holds it) or an already parsed
 * value (from a file), checked: it must name one of the stack's functions and carry the
 * payload. Anything else is a `DeadLetterError` naming `where`.
 *
 * @example
 * const record = parseInvocationRecord(message.Body, `message ${message.MessageId}`);
 * await runPipeline(record.requestPayload, where, runtime);
 */
export function parseInvocationRecord(
  body: { text: string } | { value: unknown },
  where: string,
): InvocationRecord {
  let value: unknown;
  if ('text' in body) {
    const parsed = parseJsonText(body.text, where);
    if (!parsed.ok)
      throw new DeadLetterError(`the body is not JSON: ${parsed.error.message}`, where);
    value = parsed.value;
  } else value = body.value;
  const context = isObject(value) ? objectAt(value, 'requestContext') : undefined;
  if (!isObject(value) || context === undefined)
    throw new DeadLetterError(
      'not a Lambda invocation record: expected an object with requestContext and requestPayload, as Lambda sends to an on-failure destination',
      where,
    );
  const functionArn = stringAt(context, 'functionArn');
  if (functionArn === undefined)
    throw new DeadLetterError('the invocation record has no requestContext.functionArn', where);
  const stackFunction = functionOfArn(functionArn);
  if (stackFunction === undefined)
    throw new DeadLetterError(
      `${JSON.stringify(functionArn)} is not one of the stack's functions (a name ending in ${STACK_FUNCTIONS.map((name) => `-${name}`).join(', ')}): refused`,
      where,
    );
  const requestId = stringAt(context, 'requestId');
  if (!('requestPayload' in value) || value.requestPayload === undefined)
    throw new DeadLetterError(
      `the invocation record of ${stackFunction} has no requestPayload (Lambda leaves it out when it is too large for the queue)${requestId === undefined ? '' : `: look for request ${requestId} in the function's logs`}`,
      where,
    );
  const count = context.approximateInvokeCount;
  const lastError = lastErrorOf(value.responsePayload);
  const condition = stringAt(context, 'condition');
  return {
    function: stackFunction,
    functionArn,
    requestPayload: value.requestPayload,
    ...(requestId === undefined ? {} : { requestId }),
    ...(condition === undefined ? {} : { condition }),
    ...(typeof count === 'number' ? { approximateInvokeCount: count } : {}),
    ...(lastError === undefined ? {} : { lastError }),
  };
}
