import type { Context } from 'aws-lambda';
import { isEmptyValue, isPlainValue, jsonOfFields, type LogAttributes } from './log-format.js';
import { telemetryEnvironment } from './names.js';
import type { LineSink } from './sink.js';

/**
 * The levels, in Powertools Logger's names and thresholds: a line is written when its level is
 * at or above the logger's.
 */
export const logLevels = {
  TRACE: 6,
  DEBUG: 8,
  INFO: 12,
  WARN: 16,
  ERROR: 20,
  CRITICAL: 24,
  SILENT: 28,
} as const;

/** A level's name, as `POWERTOOLS_LOG_LEVEL` and a line's `level` spell it. */
export type LevelName = keyof typeof logLevels;

/** The levels steward writes lines at. */
type LineLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Keys a line's fields cannot have: the logger writes them. */
const reservedKeys: ReadonlySet<string> = new Set([
  'level',
  'message',
  'sampling_rate',
  'service',
  'timestamp',
]);

/** What a function's logger is made of. */
export interface LoggerOptions {
  /** The function's name in serverless.yml: the `function` field of every line. */
  functionName: string;
  sink: LineSink;
  env: NodeJS.ProcessEnv;
  /** Draws the DEBUG sampling, a number in [0, 1): `Math.random` by default. */
  random?: () => number;
}

/**
 * A function's logger: JSON lines with Powertools Logger's keys in its meaning (`level`,
 * `message`, `timestamp`, `service`, `sampling_rate`, and from `addContext` on the invocation's
 * `cold_start`, `function_arn`, `function_memory_size`, `function_name`, `function_request_id`,
 * `xray_trace_id`), then `function`, then the line's fields. What stays the same through an
 * invocation is written to JSON once, at `addContext`, not on every line.
 *
 * Its level is `POWERTOOLS_LOG_LEVEL` (Lambda's `AWS_LAMBDA_LOG_LEVEL` wins; INFO by default),
 * and `POWERTOOLS_LOGGER_SAMPLE_RATE` of the invocations are logged at DEBUG whatever it is. A
 * setting it cannot use is said in a WARN line, and the default taken.
 *
 * @example
 * const logger = new FunctionLogger({ functionName: 'ec2State', sink: stdoutSink, env: process.env });
 * logger.addContext(context);
 * logger.info('invocation summary', { events: 3 });
 */
export class FunctionLogger {
  private readonly sink: LineSink;
  private readonly env: NodeJS.ProcessEnv;
  private readonly random: () => number;
  private readonly persistent: LogAttributes;
  private readonly service: string;
  private readonly sampleRate: number;
  /** The level the settings give; a sampled invocation's is DEBUG. */
  private readonly initialLevel: number;
  /** Lambda's advanced logging controls' level: no other applies. */
  private readonly lambdaLevel?: number;
  private threshold: number;
  /**
   * The next invocation is the environment's first. Only an on-demand one is a cold start: a
   * provisioned or snapshot-restored environment was made before anyone waited on it.
   */
  private coldStart: boolean;
  /** The sampling was decided as the logger was made, for the first invocation. */
  private sampledAtStart = true;
  /** The fields every line of the invocation has, after its level, message and timestamp. */
  private invocation: LogAttributes = {};
  /** `invocation` as JSON, without its braces. */
  private invocationJson = '';

  constructor({ functionName, sink, env, random = Math.random }: LoggerOptions) {
    this.sink = sink;
    this.env = env;
    this.random = random;
    this.persistent = { function: functionName };
    this.coldStart = env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === 'on-demand';
    const level = settingOf(env, telemetryEnvironment.logLevel, (text) => levelNamed(text));
    const sampleRate = settingOf(env, telemetryEnvironment.debugSampleRate, (text) => {
      const rate = Number(text);
      return Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : undefined;
    });
    this.sampleRate = sampleRate.value ?? 0;
    this.service = env.POWERTOOLS_SERVICE_NAME || 'steward';
    const lambdaSetting = env.AWS_LAMBDA_LOG_LEVEL;
    const lambdaLevel = levelNamed(lambdaSetting === 'FATAL' ? 'CRITICAL' : (lambdaSetting ?? ''));
    const wanted = logLevels[level.value ?? 'INFO'];
    if (lambdaLevel !== undefined) this.lambdaLevel = logLevels[lambdaLevel];
    this.initialLevel = this.lambdaLevel ?? wanted;
    this.threshold = this.initialLevel;
    this.setInvocation();

    if (level.value !== undefined && lambdaLevel !== undefined && wanted < logLevels[lambdaLevel])
      this.warn(
        `Current log level (${level.value}) does not match AWS Lambda Advanced Logging Controls minimum log level (${lambdaLevel}). This can lead to data loss, consider adjusting them.`,
      );
    if (this.sampled()) this.sampleThisInvocation();
    for (const problem of [level.problem, sampleRate.problem])
      if (problem !== undefined) this.warn(problem);
  }

  /** The threshold of the lines written now: `logLevels`' numbers. */
  get level(): number {
    return this.threshold;
  }

  /** The invocation's context on every line from now on, and its X-Ray trace id. */
  addContext(context: Context): void {
    const coldStart = this.coldStart;
    this.coldStart = false;
    this.setInvocation(context, coldStart);
  }

  /**
   * The DEBUG sampling decided again, for a new invocation: the first invocation keeps the
   * decision made as the logger was.
   */
  refreshSampleRateCalculation(): void {
    if (this.sampledAtStart) {
      this.sampledAtStart = false;
      return;
    }
    if (this.sampled()) this.sampleThisInvocation();
    else this.threshold = this.initialLevel;
  }

  /** A DEBUG line. */
  debug(message: string, fields?: LogAttributes | Error): void {
    this.write('DEBUG', message, fields);
  }

  /** An INFO line. */
  info(message: string, fields?: LogAttributes | Error): void {
    this.write('INFO', message, fields);
  }

  /** A WARN line. */
  warn(message: string, fields?: LogAttributes | Error): void {
    this.write('WARN', message, fields);
  }

  /** An ERROR line: an error given alone is its `error` field. */
  error(message: string, fields?: LogAttributes | Error): void {
    this.write('ERROR', message, fields);
  }

  private write(level: LineLevel, message: string, given: LogAttributes | Error | undefined): void {
    if (logLevels[level] < this.threshold) return;
    const fields = given instanceof Error ? { error: given } : given;
    const head = `{"level":"${level}","message":${JSON.stringify(message)},"timestamp":"${new Date().toISOString()}",`;
    this.sink(
      fields !== undefined && !this.isPlain(fields)
        ? head + this.slowTail(fields)
        : head + this.invocationJson + fieldsJson(fields),
    );
  }

  /** Whether `fields` can be written by `JSON.stringify` after the invocation's JSON as it is. */
  private isPlain(fields: LogAttributes): boolean {
    for (const key in fields)
      if (!isPlainValue(fields[key]) || reservedKeys.has(key) || key in this.invocation)
        return false;
    return true;
  }

  /**
   * The rest of a line whose fields need the conventions applied: empty fields left out,
   * reserved keys dropped (and said), a field the invocation has taking its value in its place.
   */
  private slowTail(fields: LogAttributes): string {
    const line: LogAttributes = { ...this.invocation };
    const dropped: string[] = [];
    for (const [key, value] of Object.entries(fields)) {
      if (reservedKeys.has(key)) dropped.push(key);
      else if (!isEmptyValue(value)) line[key] = value;
    }
    for (const key of dropped) this.warn(`The key "${key}" is a reserved key and will be dropped.`);
    return jsonOfFields(line).slice(1);
  }

  private setInvocation(context?: Context, coldStart?: boolean): void {
    const fields: LogAttributes = {};
    for (const [key, value] of Object.entries({
      service: this.service,
      cold_start: coldStart,
      function_arn: context?.invokedFunctionArn,
      function_memory_size: context?.memoryLimitInMB,
      function_name: context?.functionName,
      function_request_id: context?.awsRequestId,
      sampling_rate: this.sampleRate,
      xray_trace_id: this.traceId(),
      tenant_id: context?.tenantId,
      ...this.persistent,
    }))
      if (!isEmptyValue(value)) fields[key] = value;
    this.invocation = fields;
    // Never empty: `service` and `function` are on every line.
    this.invocationJson = JSON.stringify(fields).slice(1, -1);
  }

  private traceId(): string | undefined {
    const header = this.env._X_AMZN_TRACE_ID;
    if (header === undefined) return undefined;
    for (const part of header.split(';'))
      if (part.startsWith('Root=')) return part.slice('Root='.length);
    return undefined;
  }

  private sampled(): boolean {
    return this.sampleRate > 0 && this.random() < this.sampleRate;
  }

  private sampleThisInvocation(): void {
    // Lambda's level is the floor CloudWatch keeps: lowering the logger's would write lines
    // that are dropped.
    if (this.lambdaLevel === undefined)
      this.threshold = Math.min(this.initialLevel, logLevels.DEBUG);
    this.debug('Setting log level to DEBUG due to sampling rate');
  }
}

/** `{"a":1}` as `,"a":1}`, and no fields as `}`, to follow the invocation's JSON. */
function fieldsJson(fields: LogAttributes | undefined): string {
  if (fields === undefined) return '}';
  const json = JSON.stringify(fields);
  return json === '{}' ? '}' : `,${json.slice(1)}`;
}

function levelNamed(text: string): LevelName | undefined {
  const name = text.toUpperCase();
  return Object.hasOwn(logLevels, name) ? (name as LevelName) : undefined;
}

/** A setting of the environment, or what is wrong with it. */
function settingOf<T>(
  env: NodeJS.ProcessEnv,
  name: string,
  parse: (text: string) => T | undefined,
): { value?: T; problem?: string } {
  const text = env[name];
  if (text === undefined || text === '') return {};
  const value = parse(text);
  return value === undefined
    ? {
        problem: `${name} is ${JSON.stringify(text)}, which steward cannot use: the default applies`,
      }
    : { value };
}
