import {
  FilterLogEventsCommand,
  ResourceNotFoundException,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { messageOf, StewardError } from '../errors.js';
import { traceLine, type TraceLogLine } from './trace-line.js';

/** One function's log group to search. */
export interface TracedLogGroup {
  function: string;
  logGroup: string;
}

/** What the search of one log group found, or why it found nothing. */
export type LogGroupSearch = TracedLogGroup &
  (
    | { outcome: 'searched'; lines: number }
    /** The group does not exist: the function was never invoked, or the stage lacks it. */
    | { outcome: 'missing' }
    /** CloudWatch Logs refused or failed the search (access denied, throttled past retries). */
    | { outcome: 'refused'; error: string }
  );

export interface EventLogSearch {
  /** The event's lines of every group searched, in time order. */
  lines: TraceLogLine[];
  groups: LogGroupSearch[];
}

export interface EventLogQuery {
  eventId: string;
  groups: readonly TracedLogGroup[];
  /** Epoch milliseconds: the earliest line searched. */
  since: number;
  /** Epoch milliseconds: the latest line searched (default: now). */
  until?: number;
}

/**
 * The filter pattern that finds lines holding `eventId` as written in JSON: a quoted term,
 * which CloudWatch Logs matches as an exact phrase. Undefined for an id a quoted term cannot
 * hold (a double quote or a backslash, written escaped in the line).
 *
 * @example
 * eventIdFilter('5d8c2f7e-0c3a-4b8e-9f3e-2a1b3c4d5e6f'); // '"5d8c2f7e-0c3a-4b8e-9f3e-2a1b3c4d5e6f"'
 */
export function eventIdFilter(eventId: string): string | undefined {
  const written = JSON.stringify(eventId).slice(1, -1);
  return /["\\]/.test(written) ? undefined : `"${written}"`;
}

/** Why an event's logs cannot be searched for its id. */
export class EventIdNotSearchableError extends StewardError {
  constructor(readonly eventId: string) {
    super(
      'the event id holds a double quote, a backslash or a control character, which a CloudWatch Logs filter cannot search for',
    );
    this.name = 'EventIdNotSearchableError';
  }
}

/** The event's lines in one log group: every page of `FilterLogEvents` in the time range. */
async function searchGroup(
  client: CloudWatchLogsClient,
  group: TracedLogGroup,
  query: EventLogQuery,
  filterPattern: string,
): Promise<{ search: LogGroupSearch; lines: TraceLogLine[] }> {
  const lines: TraceLogLine[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(
        new FilterLogEventsCommand({
          logGroupName: group.logGroup,
          filterPattern,
          startTime: query.since,
          endTime: query.until,
          nextToken,
        }),
      );
      for (const event of page.events ?? []) {
        const line = traceLine(
          {
            message: event.message ?? '',
            timestamp: event.timestamp,
            logGroup: group.logGroup,
            logStream: event.logStreamName ?? '',
            function: group.function,
          },
          query.eventId,
        );
        if (line !== undefined) lines.push(line);
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
  } catch (error) {
    if (error instanceof ResourceNotFoundException)
      return { search: { ...group, outcome: 'missing' }, lines: [] };
    return { search: { ...group, outcome: 'refused', error: messageOf(error) }, lines: [] };
  }
  return { search: { ...group, outcome: 'searched', lines: lines.length }, lines };
}

/**
 * Searches the functions' log groups for the `action outcome` and `steward error` lines about
 * one event, all groups at once. A group that does not exist is `missing`, one that CloudWatch
 * Logs refuses is `refused` with the reason; neither stops the search of the others.
 *
 * @example
 * const found = await searchEventLogs(logs, { eventId, groups, since: Date.now() - 86_400_000 });
 * for (const line of found.lines) console.log(line.time, line.status ?? line.error);
 */
export async function searchEventLogs(
  client: CloudWatchLogsClient,
  query: EventLogQuery,
): Promise<EventLogSearch> {
  const filterPattern = eventIdFilter(query.eventId);
  if (filterPattern === undefined) throw new EventIdNotSearchableError(query.eventId);
  const searches = await Promise.all(
    query.groups.map((group) => searchGroup(client, group, query, filterPattern)),
  );
  const lines = searches
    .flatMap((search) => search.lines)
    // Stable: lines of one time keep the order their stream wrote them in.
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return { lines, groups: searches.map((search) => search.search) };
}
