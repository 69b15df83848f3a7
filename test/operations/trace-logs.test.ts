import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  EventIdNotSearchableError,
  eventIdFilter,
  searchEventLogs,
} from '../../src/operations/trace-logs.js';

const eventId = '0e3f8a52-1b7c-4d2e-8f90-a1b2c3d4e5f6';

describe("the search of a stage's log groups", () => {
  it('quotes the event id as JSON writes it, and refuses one a quoted term cannot hold', () => {
    expect(eventIdFilter(eventId)).toBe(`"${eventId}"`);
    expect(eventIdFilter('sha256:ab/cd+ef')).toBe('"sha256:ab/cd+ef"');
    expect(eventIdFilter('say "hi"')).toBeUndefined();
    expect(eventIdFilter('line\nbreak')).toBeUndefined();
  });

  it('reports a refused group and a missing one, and keeps the lines of the others, in time order', async () => {
    const logs = mockClient(CloudWatchLogsClient);
    const line = (time: string, status: string) =>
      JSON.stringify({ message: 'action outcome', timestamp: time, eventId, rule: 'r', status });
    logs
      .on(FilterLogEventsCommand, { logGroupName: 'ok', nextToken: undefined })
      .resolves({
        events: [{ message: line('2026-11-30T19:05:00Z', 'succeeded') }],
        nextToken: 'p2',
      })
      .on(FilterLogEventsCommand, { logGroupName: 'ok', nextToken: 'p2' })
      .resolves({ events: [{ message: line('2026-11-30T19:01:00Z', 'unknown') }] })
      .on(FilterLogEventsCommand, { logGroupName: 'gone' })
      .rejects(
        new ResourceNotFoundException({
          message: 'The specified log group does not exist.',
          $metadata: {},
        }),
      )
      .on(FilterLogEventsCommand, { logGroupName: 'denied' })
      .rejects(
        Object.assign(new Error('User is not authorized to perform: logs:FilterLogEvents'), {
          name: 'AccessDeniedException',
        }),
      );
    const search = await searchEventLogs(logs as unknown as CloudWatchLogsClient, {
      eventId,
      since: 0,
      groups: ['ok', 'gone', 'denied'].map((logGroup) => ({ function: logGroup, logGroup })),
    });
    expect(search.groups).toEqual([
      { function: 'ok', logGroup: 'ok', outcome: 'searched', lines: 2 },
      { function: 'gone', logGroup: 'gone', outcome: 'missing' },
      {
        function: 'denied',
        logGroup: 'denied',
        outcome: 'refused',
        error: 'AccessDeniedException: User is not authorized to perform: logs:FilterLogEvents',
      },
    ]);
    expect(search.lines.map((each) => each.status)).toEqual(['unknown', 'succeeded']);
    expect(logs.commandCalls(FilterLogEventsCommand)[0]?.args[0].input).toMatchObject({
      filterPattern: `"${eventId}"`,
      startTime: 0,
    });
  });

  it('refuses an event id it cannot search for, saying why', async () => {
    const logs = mockClient(CloudWatchLogsClient);
    await expect(
      searchEventLogs(logs as unknown as CloudWatchLogsClient, {
        eventId: 'a"b',
        since: 0,
        groups: [],
      }),
    ).rejects.toThrow(new EventIdNotSearchableError('a"b').message);
    expect(logs.commandCalls(FilterLogEventsCommand)).toEqual([]);
  });
});
