/**
 * The names operators see: the metrics steward writes in CloudWatch embedded metric format,
 * their dimensions, and the messages and fields of its log lines. The functions write them
 * (`src/telemetry/`), the stack's alarms and dashboard read them (`src/deploy/`), and
 * `steward status` and `steward trace` query them: one definition, so the three agree.
 */

/** The metrics, each with its unit. */
export const metrics = {
  /** Events an invocation decoded, unmatched ones included (a log file's records each count). */
  EventsReceived: 'Count',
  /** Inputs and records that could not be decoded. */
  DecodeErrors: 'Count',
  /** Rules that could not be evaluated on an event, and targets that could not be found. */
  EvaluationErrors: 'Count',
  /** Events a rule fired on. */
  Matches: 'Count',
  /** Action outcomes, by rule and status. */
  Actions: 'Count',
  /** One ledger (DynamoDB) call, from request to response. */
  LedgerLatency: 'Milliseconds',
  /** One action, from its claim to its recorded outcome. */
  ActionLatency: 'Milliseconds',
} as const;

export type MetricName = keyof typeof metrics;

/** The dimensions, each bounded: function names, event sources, rule ids, statuses, action names. */
export type DimensionName = 'Function' | 'Source' | 'Rule' | 'Status' | 'Action';

/**
 * The dimension sets each metric is written with (`[]`: the total over all of them). Never a
 * resource id, an account or an event id: those are unbounded, and each value would be a
 * metric of its own.
 */
export const metricDimensions: Readonly<Record<MetricName, readonly (readonly DimensionName[])[]>> =
  {
    EventsReceived: [['Function'], ['Source'], []],
    DecodeErrors: [['Function'], []],
    EvaluationErrors: [['Function'], []],
    Matches: [['Rule'], []],
    Actions: [['Rule', 'Status'], ['Status']],
    LedgerLatency: [['Function']],
    ActionLatency: [['Action']],
  };

/** The statuses the `Actions` metric is written with (an action report's status). */
export const actionStatuses = [
  'succeeded',
  'failed',
  'skipped',
  'duplicate',
  'planned',
  'unknown',
  'deferred',
  'in-progress',
] as const;

/**
 * The namespace of a stage's metrics when the `metricsNamespace` deploy parameter does not
 * name one; the functions read it from `STEWARD_METRICS_NAMESPACE`.
 *
 * @example
 * defaultMetricsNamespace('prod'); // 'steward/prod'
 */
export function defaultMetricsNamespace(stage: string, service = 'steward'): string {
  return `${service}/${stage}`;
}

/** The environment variables telemetry reads. */
export const telemetryEnvironment = {
  /** The CloudWatch namespace of the metrics; none written when absent. */
  namespace: 'STEWARD_METRICS_NAMESPACE',
  /** `true`: X-Ray traces of the handler, its AWS calls and each action. */
  tracing: 'STEWARD_TRACING',
  /** Powertools' own: the log level (DEBUG, INFO, WARN, ERROR; INFO by default). */
  logLevel: 'POWERTOOLS_LOG_LEVEL',
  /** Powertools' own: the fraction of invocations logged at DEBUG whatever the level (0 to 1). */
  debugSampleRate: 'POWERTOOLS_LOGGER_SAMPLE_RATE',
} as const;

/** The `message` of each kind of log line the functions write. */
export const logMessages = {
  /** One per action outcome (INFO; WARN when failed, unknown or deferred). */
  actionOutcome: 'action outcome',
  /** One per error of the batch (`PipelineError`; ERROR). */
  error: 'steward error',
  /** One per invocation: counts (INFO). */
  summary: 'invocation summary',
  /** One per invocation: the full `PipelineReport` (DEBUG only). */
  report: 'invocation report',
} as const;

/**
 * The fields steward adds to its log lines, beside Powertools' own (`level`, `message`,
 * `timestamp`, `service`, `function_request_id`, `function_name`, `cold_start`, `xray_trace_id`).
 * Every line carries `function` and the request id; the others where they apply.
 */
export interface LogFields {
  /** The function's name in serverless.yml (`ec2State`), as the `Function` dimension. */
  function: string;
  eventId?: string;
  /** The event's source (`cloudtrail`) and name (`RunInstances`). */
  source?: string;
  eventName?: string;
  account?: string;
  region?: string;
  rule?: string;
  action?: string;
  resource?: string;
  /** An action report's status, and its mode (`enforce`, `dry-run`). */
  status?: string;
  mode?: string;
  ledgerKey?: string;
  detail?: string;
  retries?: number;
  /** The action's time from claim to recorded outcome. */
  latencyMs?: number;
  /** For an error line: its kind (`PipelineError['kind']`), where it happened, and its message. */
  kind?: string;
  where?: string;
  error?: string;
}
