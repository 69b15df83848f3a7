import { parseArgs } from 'node:util';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { functionSources } from '../deploy/function-rules.js';
import { messageOf } from '../errors.js';
import { parseTime } from '../json/time.js';
import { connectLedger, usesEmbeddedLedger } from '../ledger/connect.js';
import type { LedgerEntry } from '../ledger/entry.js';
import { Ledger } from '../ledger/ledger.js';
import { deploymentNames } from '../operations/deployment.js';
import {
  EventIdNotSearchableError,
  searchEventLogs,
  type EventLogSearch,
} from '../operations/trace-logs.js';
import { eventTrace } from '../operations/trace.js';
import type { TraceLogLine } from '../operations/trace-line.js';
import { escapeControls } from './escape.js';
import { UsageError, type Output } from './output.js';
import { sinceTime } from './since-option.js';
import { describeSources, describeTrace, type TraceSources } from './trace-text.js';
import { usages } from './usages.js';

/** How far back the logs are searched without `--since`. */
const defaultSince = '24h';

/** The entries the ledger holds about the event, and where the ledger is, for people. */
interface LedgerRead {
  entries: LedgerEntry[];
  description: string;
}

/** A deployed stage's ledger table, read and never created: a reader must not make a stage. */
async function readStageLedger(
  eventId: string,
  table: string,
  stage: string,
  region: string,
): Promise<LedgerRead> {
  const client = new DynamoDBClient({ region });
  try {
    const entries = await new Ledger(client, { tableName: table }).list({ event: eventId });
    return { entries, description: `DynamoDB table ${table} in ${region}` };
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException')
      throw new UsageError(
        `there is no ledger table ${table} in ${region}: is stage ${stage} deployed there? (--stage, --region)`,
        { cause: error },
      );
    throw new Error(`the ledger table ${table} could not be read: ${messageOf(error)}`, {
      cause: error,
    });
  } finally {
    client.destroy();
  }
}

/** The stage's functions' log groups searched for the event's lines. */
async function searchStageLogs(
  eventId: string,
  stage: string,
  region: string,
  since: number,
): Promise<EventLogSearch> {
  const names = deploymentNames(stage);
  const client = new CloudWatchLogsClient({ region });
  try {
    return await searchEventLogs(client, {
      eventId,
      since,
      groups: Object.keys(functionSources).map((fn) => ({
        function: fn,
        logGroup: names.logGroup(fn),
      })),
    });
  } finally {
    client.destroy();
  }
}

/** What a trace read: the ledger's entries, the log lines, and where it looked. */
interface TraceRead {
  ledger: LedgerRead;
  lines: TraceLogLine[];
  logs: TraceSources['logs'];
}

/** A deployed stage: its ledger table and its functions' log groups, read at once. */
async function readStage(
  eventId: string,
  stage: string,
  region: string,
  since: number,
): Promise<TraceRead> {
  const [ledger, found] = await Promise.all([
    readStageLedger(eventId, deploymentNames(stage).ledgerTable, stage, region),
    searchStageLogs(eventId, stage, region, since).catch((error: unknown) => {
      if (error instanceof EventIdNotSearchableError) return error;
      throw error;
    }),
  ]);
  if (found instanceof EventIdNotSearchableError)
    return { ledger, lines: [], logs: { searched: false, reason: found.message } };
  return {
    ledger,
    lines: found.lines,
    logs: { stage, region, since: new Date(since).toISOString(), groups: found.groups },
  };
}

/** This project's embedded ledger, as `steward ledger` reads it; there are no logs locally. */
async function readLocal(eventId: string): Promise<TraceRead> {
  const connection = await connectLedger();
  try {
    return {
      ledger: {
        entries: await connection.ledger.list({ event: eventId }),
        description: connection.description,
      },
      lines: [],
      logs: {
        searched: false,
        reason: "the embedded ledger is this machine's; --stage searches a deployed stage's logs",
      },
    };
  } finally {
    await connection.close();
  }
}

/**
 * `steward trace EVENT_ID`: everything the ledger and the functions' logs hold about one
 * event: the rules it matched, each action's ledger entry (status, attempts, retries, detail,
 * error, data, times, claim) and its `action outcome` and `steward error` lines, in time order.
 * A deployed stage (`--stage`, default dev, in `--region`; or wherever the environment names
 * DynamoDB) is read from its ledger table and its functions' log groups since `--since`
 * (default 24h); locally, as `steward ledger` reads it, the embedded ledger alone. Exit 0 when
 * found, 1 when neither the ledger nor the logs know the event or a log group refused the
 * search, 2 for a usage problem or a stage without a ledger table.
 *
 * @example
 * process.exitCode = await traceCommand(['5d8c2f7e-0c3a-4b8e-9f3e-2a1b3c4d5e6f', '--stage', 'prod'], processOutput);
 */
export async function traceCommand(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      stage: { type: 'string' },
      region: { type: 'string' },
      since: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [eventId, ...extra] = positionals;
  if (eventId === undefined || eventId === '' || extra.length > 0)
    throw new UsageError(
      `${eventId === undefined || eventId === '' ? 'name one event id' : `one event id, not ${positionals.length}`}\nusage: ${usages.trace}`,
    );
  const deployed =
    values.stage !== undefined || values.region !== undefined || !usesEmbeddedLedger();
  if (!deployed && values.since !== undefined)
    throw new UsageError(
      "--since bounds the search of a deployed stage's logs; the embedded ledger has none: name the stage (--stage)",
    );
  const since = parseTime(sinceTime(values.since ?? defaultSince, Date.now())) as number;
  const region =
    values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const read = deployed
    ? await readStage(eventId, values.stage ?? 'dev', region, since)
    : await readLocal(eventId);

  const trace = eventTrace(eventId, read.ledger.entries, read.lines);
  const document = { ...trace, ledger: read.ledger.description, logs: read.logs };
  if (trace.rules.length === 0 && trace.log.length === 0) {
    output.err(
      [`steward trace: no ledger entry or log line holds event ${eventId}`]
        .concat(describeSources(document, 0).map((line) => `  ${line}`))
        .map(escapeControls)
        .join('\n'),
    );
    return 1;
  }
  output.out(values.json ? JSON.stringify(document, null, 2) : describeTrace(document));
  const refused =
    'groups' in read.logs ? read.logs.groups.filter((group) => group.outcome === 'refused') : [];
  for (const group of refused)
    output.err(escapeControls(`steward trace: ${group.logGroup} refused: ${group.error}`));
  return refused.length > 0 ? 1 : 0;
}
