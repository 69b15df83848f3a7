import type { Context } from 'aws-lambda';
import { InvocationTelemetry } from './invocation-telemetry.js';
import type { HomePlace } from './log-lines.js';
import { FunctionLogger } from './logger.js';
import { telemetryEnvironment } from './names.js';
import { stdoutSink, type LineSink } from './sink.js';

/** How a function's telemetry is made; the functions take the defaults. */
export interface TelemetryOptions {
  /** Where lines go: stdout by default. */
  sink?: LineSink;
  /** The environment its settings are read from: the process's by default. */
  env?: NodeJS.ProcessEnv;
  /** The clock the metric documents are stamped with. */
  now?: () => number;
}

/**
 * A function's telemetry in one container: its logger (level, DEBUG sampling) and metrics
 * namespace read from the environment once, and a fresh `InvocationTelemetry` for each
 * invocation, with the invocation's request id on every line and the DEBUG sampling decided
 * anew.
 *
 * @example
 * const telemetry = new FunctionTelemetry('ec2State');
 * const invocation = telemetry.begin(context, { region: 'us-east-1' });
 * try { await runPipeline(event, where, { ...runtime, observer: invocation }); } finally { invocation.end(); }
 */
export class FunctionTelemetry {
  readonly logger: FunctionLogger;
  /** The metrics' namespace, `STEWARD_METRICS_NAMESPACE`: none, no metrics. */
  readonly namespace?: string;
  private readonly sink: LineSink;
  private readonly now?: () => number;

  constructor(
    readonly functionName: string,
    options: TelemetryOptions = {},
  ) {
    const env = options.env ?? process.env;
    this.sink = options.sink ?? stdoutSink;
    this.now = options.now;
    this.logger = new FunctionLogger({ functionName, sink: this.sink, env });
    const namespace = env[telemetryEnvironment.namespace];
    if (namespace !== undefined && namespace !== '') this.namespace = namespace;
  }

  /** The telemetry of one invocation: its context on the logger, the sampling decided again. */
  begin(context: Context, home: HomePlace = {}): InvocationTelemetry {
    this.logger.addContext(context);
    this.logger.refreshSampleRateCalculation();
    return new InvocationTelemetry({
      functionName: this.functionName,
      logger: this.logger,
      sink: this.sink,
      home,
      ...(this.namespace === undefined ? {} : { namespace: this.namespace }),
      ...(this.now === undefined ? {} : { now: this.now }),
    });
  }
}
