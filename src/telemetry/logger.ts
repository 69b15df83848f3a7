import { Logger, LogLevel, type LogItem } from '@aws-lambda-powertools/logger';
import type { LineSink } from './sink.js';
import { telemetryEnvironment } from './names.js';

/** A level Powertools takes, in its spelling. */
type LevelName = (typeof LogLevel)[keyof typeof LogLevel];

/** What a function's logger is made of. */
export interface LoggerOptions {
  /** The function's name in serverless.yml: the `function` field of every line. */
  functionName: string;
  sink: LineSink;
  env: NodeJS.ProcessEnv;
}

/**
 * A Powertools Logger whose lines go to `sink`, one JSON document each, whatever
 * `POWERTOOLS_DEV` says. Its level is `POWERTOOLS_LOG_LEVEL` of `env` (Lambda's
 * `AWS_LAMBDA_LOG_LEVEL` wins, as Powertools has it; INFO by default), its DEBUG sampling rate
 * `POWERTOOLS_LOGGER_SAMPLE_RATE`, and every line carries `function`. A value it cannot use is
 * said in a WARN line, and the default taken.
 *
 * @example
 * const logger = functionLogger({ functionName: 'ec2State', sink: stdoutSink, env: process.env });
 * logger.addContext(context);
 * logger.info('invocation summary', { events: 3 });
 */
export function functionLogger({ functionName, sink, env }: LoggerOptions): Logger {
  // A class per logger, so `sink` is in scope before Powertools' constructor prints the lines
  // it held back while it was being configured (its sampling decision among them).
  class SinkLogger extends Logger {
    protected override printLog(_level: number, log: LogItem): void {
      log.prepareForPrint();
      sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
    }
  }
  const level = settingOf(env, telemetryEnvironment.logLevel, (text) => {
    const name = text.toUpperCase();
    return isLevelName(name) ? name : undefined;
  });
  const sampleRate = settingOf(env, telemetryEnvironment.debugSampleRate, (text) => {
    const rate = Number(text);
    return Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : undefined;
  });
  const logger = new SinkLogger({
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'steward',
    persistentKeys: { function: functionName },
    // Powertools would read the process's environment; these are the function's.
    logLevel: level.value ?? 'INFO',
    sampleRateValue: sampleRate.value ?? 0,
  });
  for (const problem of [level.problem, sampleRate.problem])
    if (problem !== undefined) logger.warn(problem);
  return logger;
}

function isLevelName(name: string): name is LevelName {
  return (Object.values(LogLevel) as string[]).includes(name);
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
