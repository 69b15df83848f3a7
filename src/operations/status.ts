import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { messageOf } from '../errors.js';
import type { Ledger } from '../ledger/ledger.js';
import type { DimensionName, MetricName } from '../telemetry/names.js';
import { deploymentNames } from './deployment.js';
import { alarmsInAlarm, type FiringAlarm } from './status-alarms.js';
import { recentFailures, type RecentFailure } from './status-failures.js';
import { metricSums, type MetricSum } from './status-metrics.js';
import { stageNamespace, type StageNamespace } from './status-namespace.js';
import { queueDepth, type QueueDepth } from './status-queue.js';

/** A part of the status: what was read, or why it could not be. */
export type StatusPart<T> = { available: true; value: T } | { available: false; reason: string };

/** A count under one name (a function, a source, a rule, a status). */
export interface NamedCount {
  name: string;
  count: number;
}

/** What the metrics say about the window, each list largest first, zeros left out. */
export interface StatusMetrics {
  eventsByFunction: NamedCount[];
  eventsBySource: NamedCount[];
  decodeErrorsByFunction: NamedCount[];
  evaluationErrorsByFunction: NamedCount[];
  matchesByRule: NamedCount[];
  actionsByStatus: NamedCount[];
  /** The `failed` actions of each rule. */
  failedByRule: NamedCount[];
}

/** One screen of a deployed stage: `steward status`. */
export interface StageStatus {
  stage: string;
  region: string;
  /** The window, ISO 8601. */
  since: string;
  until: string;
  stack: string;
  namespace: StageNamespace;
  metrics: StatusPart<StatusMetrics>;
  /** The newest failed actions in the window, newest first. */
  failures: StatusPart<RecentFailure[]>;
  deadLetters: StatusPart<QueueDepth>;
  alarms: StatusPart<FiringAlarm[]>;
}

/** The clients a status reads with, all in the stage's region. */
export interface StatusClients {
  cloudWatch: CloudWatchClient;
  cloudFormation: CloudFormationClient;
  sqs: SQSClient;
  /** The stage's ledger table. */
  ledger: Ledger;
}

export interface StatusRequest {
  stage: string;
  region: string;
  since: Date;
  until: Date;
  /** Overrides the stack's `MetricsNamespace` output and the default. */
  namespace?: string;
  /** How many failures to show (default 10). */
  failureLimit?: number;
}

/** The metrics a status sums; the latencies are not counts, and are left to the dashboard. */
const countedMetrics: readonly MetricName[] = [
  'EventsReceived',
  'DecodeErrors',
  'EvaluationErrors',
  'Matches',
  'Actions',
];

const defaultFailureLimit = 10;

/** Reads one part, turning any refusal into the reason it gives. */
async function partOf<T>(read: () => Promise<T>): Promise<StatusPart<T>> {
  try {
    return { available: true, value: await read() };
  } catch (error) {
    return { available: false, reason: messageOf(error) };
  }
}

const onlyDimension = (dimension: DimensionName) => (sum: MetricSum) =>
  Object.keys(sum.dimensions).length === 1 && sum.dimensions[dimension] !== undefined;

/**
 * The sums of `metric` by `dimension`, among the series `where` keeps (by default those written
 * with that dimension alone, so no event is counted twice); largest first, no zeros.
 */
function countsBy(
  sums: readonly MetricSum[],
  metric: MetricName,
  dimension: DimensionName,
  where: (sum: MetricSum) => boolean = onlyDimension(dimension),
): NamedCount[] {
  const counts = new Map<string, number>();
  for (const sum of sums) {
    const name = sum.dimensions[dimension];
    if (sum.metric !== metric || name === undefined || !where(sum)) continue;
    counts.set(name, (counts.get(name) ?? 0) + sum.sum);
  }
  return [...counts]
    .filter(([, count]) => count > 0)
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

function statusMetrics(sums: readonly MetricSum[]): StatusMetrics {
  return {
    eventsByFunction: countsBy(sums, 'EventsReceived', 'Function'),
    eventsBySource: countsBy(sums, 'EventsReceived', 'Source'),
    decodeErrorsByFunction: countsBy(sums, 'DecodeErrors', 'Function'),
    evaluationErrorsByFunction: countsBy(sums, 'EvaluationErrors', 'Function'),
    matchesByRule: countsBy(sums, 'Matches', 'Rule'),
    actionsByStatus: countsBy(sums, 'Actions', 'Status'),
    failedByRule: countsBy(sums, 'Actions', 'Rule', (sum) => sum.dimensions.Status === 'failed'),
  };
}

/**
 * Reads a deployed stage's status: the metrics of the window (namespace from `--namespace`,
 * else the stack's output, else the default), the newest failed actions in the ledger of the
 * rules the metrics say failed, the dead-letter queue's depth, and the stage's alarms in ALARM.
 * Each part is read on its own: one that AWS refuses is unavailable with the reason, and the
 * others are still read.
 *
 * @example
 * const status = await stageStatus(clients, { stage: 'prod', region: 'us-east-1', since, until: new Date() });
 */
export async function stageStatus(
  clients: StatusClients,
  request: StatusRequest,
): Promise<StageStatus> {
  const names = deploymentNames(request.stage);
  const since = request.since.toISOString();
  const deadLetters = partOf(() => queueDepth(clients.sqs, names.deadLetterQueue));
  const alarms = partOf(() => alarmsInAlarm(clients.cloudWatch, names.alarmPrefix));
  const namespace: StageNamespace =
    request.namespace === undefined
      ? await stageNamespace(clients.cloudFormation, names.stack, names.metricsNamespace)
      : { namespace: request.namespace, from: 'option' };
  const metrics = partOf(async () =>
    statusMetrics(
      await metricSums(
        clients.cloudWatch,
        namespace.namespace,
        { start: request.since, end: request.until },
        countedMetrics,
      ),
    ),
  );
  const failures = metrics.then((read): Promise<StatusPart<RecentFailure[]>> =>
    read.available
      ? partOf(() =>
          recentFailures(
            clients.ledger,
            read.value.failedByRule.map((rule) => rule.name),
            since,
            request.failureLimit ?? defaultFailureLimit,
          ),
        )
      : Promise.resolve({
          available: false,
          reason: 'the metrics, which name the rules whose failures to look up, could not be read',
        }),
  );
  const [metricsRead, failuresRead, deadLettersRead, alarmsRead] = await Promise.all([
    metrics,
    failures,
    deadLetters,
    alarms,
  ]);
  return {
    stage: request.stage,
    region: request.region,
    since,
    until: request.until.toISOString(),
    stack: names.stack,
    namespace,
    metrics: metricsRead,
    failures: failuresRead,
    deadLetters: deadLettersRead,
    alarms: alarmsRead,
  };
}

/** Action statuses an operator must look at: the action failed, or may or may not have run. */
const troubledStatuses: readonly string[] = ['failed', 'unknown'];

/**
 * True when the status asks for attention: an alarm in ALARM, messages in the dead-letter
 * queue, actions failed or of unknown outcome in the window, or a part that could not be read
 * (`steward status` exits 1 then).
 *
 * @example
 * process.exitCode = needsAttention(status) ? 1 : 0;
 */
export function needsAttention(status: StageStatus): boolean {
  const parts = [status.metrics, status.failures, status.deadLetters, status.alarms];
  return (
    parts.some((part) => !part.available) ||
    (status.alarms.available && status.alarms.value.length > 0) ||
    (status.deadLetters.available && status.deadLetters.value.messages > 0) ||
    (status.metrics.available &&
      status.metrics.value.actionsByStatus.some((count) => troubledStatuses.includes(count.name)))
  );
}
