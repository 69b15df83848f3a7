import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeCountedValues, ValueCounter } from '../../src/backtest/counted-values.js';
import { ErrorKeeper, mergeErrors } from '../../src/backtest/kept-errors.js';
import {
  emptyReport,
  mergeReports,
  ReportMismatchError,
  sampleOrder,
} from '../../src/backtest/merge.js';
import {
  maxErrorsKept,
  maxSamplesKept,
  type BacktestError,
  type BacktestQuery,
  type BacktestReport,
  type CountedValues,
  type RuleResult,
  type SampleEvent,
} from '../../src/backtest/report.js';
import { mergeInTree } from './eval-support.js';

const query: BacktestQuery = { sources: ['s3://trail/AWSLogs/'], since: '2026-10-01' };
const pack = [
  { id: 'logging-stopped', mode: 'enforce' },
  { id: 'open-ssh', mode: 'dry-run' },
];

const times = Array.from({ length: 6 }, (_, i) => `2026-10-0${1 + i}T0${i}:00:00.000Z`);
const samplePool: SampleEvent[] = Array.from({ length: 10 }, (_, i) => ({
  id: `event-${i % 4}`,
  time: times[i % 3] as string,
  name: 'StopLogging',
  resources: [`trail-${i}`],
  where: `f${i}.json.gz: Records[${i}]`,
  explanation: ['✓ all'],
  planned: [{ action: 'audit.record', resource: `trail-${i}` }],
}));
const errorPool: BacktestError[] = Array.from({ length: 300 }, (_, i) => ({
  where: `f${i % 40}.json.gz: Records[${i}]`,
  message: `problem ${i % 7}`,
}));

function counted(values: readonly string[], limit?: number): CountedValues {
  const counter = new ValueCounter(limit);
  for (const value of values) counter.add(value);
  return counter.counted();
}

const timeRange = fc
  .option(fc.tuple(fc.constantFrom(...times), fc.constantFrom(...times)), { nil: undefined })
  .map((pair) => (pair === undefined ? undefined : [...pair].sort()));

const ruleResultOf = (rule: { id: string; mode: string }): fc.Arbitrary<RuleResult> =>
  fc
    .record({
      matches: fc.nat(50),
      plannedActions: fc.dictionary(
        fc.constantFrom('audit.record', 'ec2.stop-instances'),
        fc.nat(9),
      ),
      resources: fc.array(fc.constantFrom('i-1', 'i-2', 'sg-1', 'trail-a'), { maxLength: 12 }),
      actors: fc.array(fc.constantFrom('arn:aws:iam::1:user/a', 'Root:1', 'AWSService:x'), {
        maxLength: 8,
      }),
      seen: timeRange,
      perDay: fc.dictionary(fc.constantFrom('2026-10-01', '2026-10-02', '2026-10-03'), fc.nat(9)),
      needsLiveState: fc.nat(5),
      liveFacts: fc.subarray(['instance', 'securityGroup', 'trail']),
      evaluationErrors: fc.nat(5),
      samples: fc.subarray(samplePool),
    })
    .map((r): RuleResult => ({
      rule: rule.id,
      mode: rule.mode,
      matches: r.matches,
      plannedActions: r.plannedActions,
      resources: counted(r.resources),
      actors: counted(r.actors),
      ...(r.seen === undefined ? {} : { firstSeen: r.seen[0], lastSeen: r.seen[1] }),
      perDay: r.perDay,
      needsLiveState: r.needsLiveState,
      liveFacts: r.liveFacts,
      evaluationErrors: r.evaluationErrors,
      samples: [...r.samples].sort(sampleOrder).slice(0, maxSamplesKept),
    }));

const reportArbitrary: fc.Arbitrary<BacktestReport> = fc
  .record({
    counts: fc.array(fc.nat(1000), { minLength: 8, maxLength: 8 }),
    range: timeRange,
    rules: fc.tuple(...pack.map(ruleResultOf)),
    errors: fc.subarray(errorPool, { maxLength: 150 }),
    moreErrors: fc.nat(5),
  })
  .map(({ counts, range, rules, errors, moreErrors }) => {
    const [files, unreadableFiles, bytes, records, badRecords, filteredOut, events, matchedEvents] =
      counts as [number, number, number, number, number, number, number, number];
    const kept = mergeErrors(errors, moreErrors, [], 0);
    return {
      version: 1,
      query,
      totals: {
        files,
        unreadableFiles,
        bytes,
        records,
        badRecords,
        filteredOut,
        events,
        matchedEvents,
        ...(range === undefined ? {} : { firstEvent: range[0], lastEvent: range[1] }),
      },
      rules,
      ...kept,
    };
  });

describe('mergeReports', () => {
  it('is commutative: either way round gives the same report, down to its JSON', () => {
    fc.assert(
      fc.property(reportArbitrary, reportArbitrary, (a, b) => {
        expect(JSON.stringify(mergeReports(a, b))).toBe(JSON.stringify(mergeReports(b, a)));
      }),
    );
  });

  it('is associative: partial results merge in any grouping to the same report', () => {
    fc.assert(
      fc.property(reportArbitrary, reportArbitrary, reportArbitrary, (a, b, c) => {
        expect(JSON.stringify(mergeReports(mergeReports(a, b), c))).toBe(
          JSON.stringify(mergeReports(a, mergeReports(b, c))),
        );
      }),
    );
  });

  it('adds counts, widens times, keeps the earliest samples and the first errors', () => {
    fc.assert(
      fc.property(reportArbitrary, reportArbitrary, (a, b) => {
        const merged = mergeReports(a, b);
        expect(merged.totals.records).toBe(a.totals.records + b.totals.records);
        const [ruleA, ruleB, rule] = [a.rules[0], b.rules[0], merged.rules[0]] as [
          RuleResult,
          RuleResult,
          RuleResult,
        ];
        expect(rule.matches).toBe(ruleA.matches + ruleB.matches);
        expect(rule.samples).toEqual(
          [...ruleA.samples, ...ruleB.samples].sort(sampleOrder).slice(0, maxSamplesKept),
        );
        const firsts = [ruleA.firstSeen, ruleB.firstSeen].filter((time) => time !== undefined);
        expect(rule.firstSeen).toBe(firsts.sort()[0]);
        expect(merged.errors.length + merged.moreErrors).toBe(
          a.errors.length + a.moreErrors + b.errors.length + b.moreErrors,
        );
        expect(merged.errors.length).toBeLessThanOrEqual(maxErrorsKept);
      }),
    );
  });

  it('leaves a report as it is when merged with the empty report of its query and rules', () => {
    fc.assert(
      fc.property(reportArbitrary, (report) => {
        expect(mergeReports(emptyReport(query, pack), report)).toEqual(report);
      }),
    );
  });

  it('refuses reports of another version, other rules or another query, saying which', () => {
    const report = emptyReport(query, pack);
    const newer = { ...report, version: 2 } as unknown as BacktestReport;
    expect(() => mergeReports(report, newer)).toThrow(
      new ReportMismatchError('version', 'cannot merge a version 1 report with a version 2 one'),
    );
    const fewer = emptyReport(query, pack.slice(0, 1));
    expect(() => mergeReports(report, fewer)).toThrow(
      new ReportMismatchError(
        'rules',
        'cannot merge reports of different rules: [logging-stopped (enforce), open-ssh (dry-run)] and [logging-stopped (enforce)]',
      ),
    );
    const enforced = emptyReport(query, [
      pack[0] as (typeof pack)[0],
      { id: 'open-ssh', mode: 'enforce' },
    ]);
    expect(() => mergeReports(report, enforced)).toThrow(
      /open-ssh \(dry-run\)\] and \[.*open-ssh \(enforce\)\]/,
    );
    try {
      mergeReports(report, emptyReport({ ...query, regions: ['us-east-1'] }, pack));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ReportMismatchError);
      expect((error as ReportMismatchError).what).toBe('query');
      expect((error as Error).message).toBe(
        'cannot merge reports of different queries: {"since":"2026-10-01","sources":["s3://trail/AWSLogs/"]} and {"regions":["us-east-1"],"since":"2026-10-01","sources":["s3://trail/AWSLogs/"]}',
      );
    }
    const reordered = emptyReport({ since: '2026-10-01', sources: query.sources }, pack);
    expect(JSON.stringify(mergeReports(report, reordered))).toBe(
      JSON.stringify(mergeReports(reordered, report)),
    );
    expect(mergeReports(report, reordered)).toEqual(report);
  });
});

describe('emptyReport', () => {
  it('holds every rule of the pack, or those the query names, in the pack’s order', () => {
    expect(
      emptyReport(query, pack).rules.map((rule) => [rule.rule, rule.mode, rule.matches]),
    ).toEqual([
      ['logging-stopped', 'enforce', 0],
      ['open-ssh', 'dry-run', 0],
    ]);
    const named = emptyReport({ ...query, ruleIds: ['open-ssh', 'logging-stopped'] }, [
      ...pack,
      { id: 'other', mode: 'enforce' },
    ]);
    expect(named.rules.map((rule) => rule.rule)).toEqual(['logging-stopped', 'open-ssh']);
    expect(named.totals).toEqual({
      files: 0,
      unreadableFiles: 0,
      bytes: 0,
      records: 0,
      badRecords: 0,
      filteredOut: 0,
      events: 0,
      matchedEvents: 0,
    });
    expect(named.errors).toEqual([]);
  });
});

describe('counted values past their cap', () => {
  // Keys that look like array indexes ('9', '10') are put first by objects, out of key order.
  const values = fc.array(fc.constantFrom('a', 'b', 'c', 'd', '9', '10', '123456789012'), {
    maxLength: 30,
  });

  it('keep the same values with exact counts however the values were split and merged', () => {
    const limit = 3;
    fc.assert(
      fc.property(
        fc.array(values, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (parts, cuts) => {
          const merged = mergeInTree(
            parts.map((part) => counted(part, limit)),
            cuts,
            (a, b) => mergeCountedValues(a, b, limit),
          );
          const all = parts.flat();
          expect(merged).toEqual(counted(all, limit));
          const distinct = [...new Set(all)].sort();
          const kept = distinct.slice(0, limit);
          expect(merged.counts).toEqual(
            Object.fromEntries(kept.map((value) => [value, all.filter((v) => v === value).length])),
          );
          expect(merged.otherCount).toBe(all.filter((value) => !kept.includes(value)).length);
          expect(merged.capped).toBe(distinct.length > limit);
          expect(merged.distinct).toBe(Math.min(distinct.length, limit + 1));
        },
      ),
    );
  });

  it('are bounded while counting: past twice the cap, only values below the kept ones are held', () => {
    const counter = new ValueCounter(2);
    for (const value of ['e', 'd', 'c', 'b', 'f', 'a', 'e']) counter.add(value);
    expect(counter.counted()).toEqual({
      counts: { a: 1, b: 1 },
      distinct: 3,
      otherCount: 5,
      capped: true,
    });
  });
});

describe('kept errors', () => {
  it('are the first by where, then message, whatever the order they were met in', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(errorPool), (errors) => {
        const keeper = new ErrorKeeper(10);
        for (const error of errors) keeper.add(error);
        const expected = [...errors].sort((a, b) =>
          a.where === b.where ? (a.message < b.message ? -1 : 1) : a.where < b.where ? -1 : 1,
        );
        expect(keeper.kept()).toEqual({
          errors: expected.slice(0, 10),
          moreErrors: Math.max(0, errors.length - 10),
        });
        expect(keeper.count).toBe(errors.length);
      }),
    );
  });
});
