import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { FunctionLogger, logLevels } from '../../src/telemetry/logger.js';

const traceHeader = (root: string): string => `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1`;

function contextOf(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: 'steward-test-ec2State',
    functionVersion: '$LATEST',
    memoryLimitInMB: '256',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:steward-test-ec2State',
  } as Context;
}

function socketError(): TypeError {
  return new TypeError('socket hang up');
}

function ledgerError(cause: Error): Error {
  return new Error('ledger not written', { cause });
}

/** A logger of `ec2State` whose lines are kept as written, and parsed. */
function loggerWith(env: NodeJS.ProcessEnv, random?: () => number) {
  const written: string[] = [];
  const logger = new FunctionLogger({
    functionName: 'ec2State',
    sink: (line) => written.push(line),
    env,
    ...(random === undefined ? {} : { random }),
  });
  const lines = (): Record<string, unknown>[] =>
    written.splice(0).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, written };
}

describe('FunctionLogger', () => {
  it("writes Powertools Logger's keys in its order, then the function and the line's fields", () => {
    const env = { _X_AMZN_TRACE_ID: traceHeader('1-5759e988-bd862e3fe1be46a994272793') };
    const { logger, lines, written } = loggerWith(env);
    logger.addContext(contextOf('request-1'));
    logger.info('action outcome', { rule: 'ebs-untagged', latencyMs: 12.3, dryRun: false });

    const [line] = lines();
    expect(Object.keys(line ?? {})).toEqual([
      'level',
      'message',
      'timestamp',
      'service',
      'cold_start',
      'function_arn',
      'function_memory_size',
      'function_name',
      'function_request_id',
      'sampling_rate',
      'xray_trace_id',
      'function',
      'rule',
      'latencyMs',
      'dryRun',
    ]);
    expect(line).toEqual({
      level: 'INFO',
      message: 'action outcome',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'steward',
      cold_start: false,
      function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:steward-test-ec2State',
      function_memory_size: '256',
      function_name: 'steward-test-ec2State',
      function_request_id: 'request-1',
      sampling_rate: 0,
      xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      function: 'ec2State',
      rule: 'ebs-untagged',
      latencyMs: 12.3,
      dryRun: false,
    });
    expect(written).toEqual([]);
  });

  it('writes the service Powertools names, and no context before the first invocation', () => {
    const { logger, lines } = loggerWith({ POWERTOOLS_SERVICE_NAME: 'ops' });
    logger.info('ready');
    expect(lines()).toEqual([
      {
        level: 'INFO',
        message: 'ready',
        timestamp: expect.any(String),
        service: 'ops',
        sampling_rate: 0,
        function: 'ec2State',
      },
    ]);
  });

  it('tells a cold start on the first on-demand invocation alone', () => {
    const { logger, lines } = loggerWith({ AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' });
    for (const id of ['request-1', 'request-2']) {
      logger.addContext(contextOf(id));
      logger.info('invocation summary');
    }
    expect(lines().map((line) => [line.function_request_id, line.cold_start])).toEqual([
      ['request-1', true],
      ['request-2', false],
    ]);

    const provisioned = loggerWith({ AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' });
    provisioned.logger.addContext(contextOf('request-1'));
    provisioned.logger.info('invocation summary');
    expect(provisioned.lines()[0]?.cold_start).toBe(false);
  });

  it('reads the X-Ray trace id as the invocation begins, not on every line', () => {
    const env: NodeJS.ProcessEnv = { _X_AMZN_TRACE_ID: traceHeader('1-aaaaaaaa-first') };
    const { logger, lines } = loggerWith(env);
    logger.addContext(contextOf('request-1'));
    env._X_AMZN_TRACE_ID = traceHeader('1-bbbbbbbb-second');
    logger.info('action outcome');
    logger.addContext(contextOf('request-2'));
    logger.info('action outcome');
    delete env._X_AMZN_TRACE_ID;
    logger.addContext(contextOf('request-3'));
    logger.info('action outcome');
    expect(lines().map((line) => line.xray_trace_id)).toEqual([
      '1-aaaaaaaa-first',
      '1-bbbbbbbb-second',
      undefined,
    ]);
  });

  it('leaves out fields with no value, at the top of the line, and keeps nested values', () => {
    const { logger, lines } = loggerWith({});
    const looped: Record<string, unknown> = { name: 'loop' };
    looped.self = looped;
    logger.warn('fields', {
      empty: '',
      none: null,
      missing: undefined,
      zero: 0,
      actions: { succeeded: 1, note: '' },
      list: [1, null],
      count: 3n,
      looped,
    });
    const [line] = lines();
    expect(line).not.toHaveProperty('empty');
    expect(line).not.toHaveProperty('none');
    expect(line).not.toHaveProperty('missing');
    expect(line).toMatchObject({
      level: 'WARN',
      zero: 0,
      actions: { succeeded: 1, note: '' },
      list: [1, null],
      count: '3',
      looped: { name: 'loop' },
    });
  });

  it('writes an error with its name, location, message, stack, cause and own fields', () => {
    const { logger, lines } = loggerWith({});
    // Made in named functions: the location is the first frame that names its file in brackets.
    const cause = socketError();
    const error = Object.assign(ledgerError(cause), { code: 'E_LEDGER' });
    logger.error('steward error', error);
    logger.error('steward error', { kind: 'internal', error });
    const location = expect.stringMatching(/logger\.test\.ts:\d+$/);
    const written = {
      name: 'Error',
      location,
      message: 'ledger not written',
      stack: error.stack,
      cause: { name: 'TypeError', location, message: 'socket hang up', stack: cause.stack },
      code: 'E_LEDGER',
    };
    expect(lines().map((line) => [line.kind, line.error])).toEqual([
      [undefined, written],
      ['internal', written],
    ]);
  });

  it("drops the fields that would overwrite the line's own keys, and says so", () => {
    const { logger, lines } = loggerWith({});
    logger.addContext(contextOf('request-1'));
    logger.info('outcome', { level: 'DEBUG', service: 'other', function_request_id: 'mine' });
    const written = lines();
    expect(written.map((line) => [line.level, line.message])).toEqual([
      ['WARN', 'The key "level" is a reserved key and will be dropped.'],
      ['WARN', 'The key "service" is a reserved key and will be dropped.'],
      ['INFO', 'outcome'],
    ]);
    expect(written[2]).toMatchObject({ service: 'steward', function_request_id: 'mine' });
  });

  it('writes the lines at or above POWERTOOLS_LOG_LEVEL, INFO by default', () => {
    const atLevel = (env: NodeJS.ProcessEnv): unknown[] => {
      const { logger, lines } = loggerWith(env);
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      return lines().map((line) => line.message);
    };
    expect(atLevel({})).toEqual(['i', 'w', 'e']);
    expect(atLevel({ POWERTOOLS_LOG_LEVEL: 'debug' })).toEqual(['d', 'i', 'w', 'e']);
    expect(atLevel({ POWERTOOLS_LOG_LEVEL: 'ERROR' })).toEqual(['e']);
    expect(atLevel({ POWERTOOLS_LOG_LEVEL: 'SILENT' })).toEqual([]);
  });

  it("takes Lambda's log level over POWERTOOLS_LOG_LEVEL, and warns when it hides lines", () => {
    const hidden = loggerWith({ AWS_LAMBDA_LOG_LEVEL: 'WARN', POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    expect(hidden.logger.level).toBe(logLevels.WARN);
    hidden.logger.info('i');
    expect(hidden.lines().map((line) => [line.level, line.message])).toEqual([
      [
        'WARN',
        'Current log level (DEBUG) does not match AWS Lambda Advanced Logging Controls minimum log level (WARN). This can lead to data loss, consider adjusting them.',
      ],
    ]);

    const lower = loggerWith({ AWS_LAMBDA_LOG_LEVEL: 'DEBUG', POWERTOOLS_LOG_LEVEL: 'ERROR' });
    expect(lower.logger.level).toBe(logLevels.DEBUG);
    expect(lower.lines()).toEqual([]);
    expect(loggerWith({ AWS_LAMBDA_LOG_LEVEL: 'FATAL' }).logger.level).toBe(logLevels.CRITICAL);
  });

  it('says in a WARN line which setting it cannot use, and takes the default', () => {
    const { logger, lines } = loggerWith({
      POWERTOOLS_LOG_LEVEL: 'loud',
      POWERTOOLS_LOGGER_SAMPLE_RATE: '2',
    });
    expect(logger.level).toBe(logLevels.INFO);
    expect(lines().map((line) => [line.level, line.message, line.sampling_rate])).toEqual([
      ['WARN', 'POWERTOOLS_LOG_LEVEL is "loud", which steward cannot use: the default applies', 0],
      [
        'WARN',
        'POWERTOOLS_LOGGER_SAMPLE_RATE is "2", which steward cannot use: the default applies',
        0,
      ],
    ]);
  });

  it('logs a sampled invocation at DEBUG, deciding again as each invocation begins', () => {
    const draws = [0.1, 0.9, 0.2];
    const { logger, lines } = loggerWith({ POWERTOOLS_LOGGER_SAMPLE_RATE: '0.5' }, () => {
      const draw = draws.shift();
      if (draw === undefined) throw new Error('no draw left');
      return draw;
    });
    const debugOf = (id: string): unknown[] => {
      logger.addContext(contextOf(id));
      logger.refreshSampleRateCalculation();
      logger.debug('invocation report');
      return lines().map((line) => [line.level, line.message, line.sampling_rate]);
    };
    expect(debugOf('request-1')).toEqual([
      ['DEBUG', 'Setting log level to DEBUG due to sampling rate', 0.5],
      ['DEBUG', 'invocation report', 0.5],
    ]);
    expect(debugOf('request-2')).toEqual([]);
    expect(logger.level).toBe(logLevels.INFO);
    expect(debugOf('request-3')).toEqual([
      ['DEBUG', 'Setting log level to DEBUG due to sampling rate', 0.5],
      ['DEBUG', 'invocation report', 0.5],
    ]);
    expect(draws).toEqual([]);
  });
});
