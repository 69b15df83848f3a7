import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogFileEvaluator } from '../../src/backtest/evaluate-log-file.js';
import { mergeReports } from '../../src/backtest/merge.js';
import { logFileChunks } from '../../src/backtest/read-log-file.js';
import type { BacktestReport } from '../../src/backtest/report.js';
import {
  evaluate,
  noS3,
  mergeInTree,
  ruleText,
  rulesOf,
  scratch,
  trailRecord,
  unwatched,
  writeLogFile,
  prodInstanceRule,
  stopInstances,
} from './eval-support.js';

let evaluator: LogFileEvaluator;
let dir: string;

beforeAll(async () => {
  dir = await scratch('backtest-split');
  const rules = await rulesOf({
    stop: ruleText('logging-stopped'),
    prod: prodInstanceRule,
  });
  evaluator = new LogFileEvaluator({ rules, query: { sources: [dir], until: '2026-10-04' } });
});

const kinds = ['stop', 'stop-by-bob', 'service', 'unwatched', 'instance', 'bad'] as const;

function recordOf(kind: (typeof kinds)[number], id: number, day: number, hour: number): unknown {
  const eventTime = `2026-10-0${day}T${String(hour).padStart(2, '0')}:00:00Z`;
  switch (kind) {
    case 'stop':
      return trailRecord(id, { eventTime, requestParameters: { name: `trail-${id % 3}` } });
    case 'stop-by-bob':
      return trailRecord(id, {
        eventTime,
        userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/bob' },
      });
    case 'service':
      return trailRecord(id, { eventTime, userIdentity: { type: 'AWSService' } });
    case 'unwatched':
      return unwatched(id, { eventTime });
    case 'instance':
      return stopInstances(id, { eventTime });
    case 'bad':
      return id;
  }
}

/** What a report says whichever files its records were read from. */
function content(report: BacktestReport) {
  const totals: Partial<BacktestReport['totals']> = { ...report.totals };
  delete totals.files;
  delete totals.bytes;
  return {
    read: report.totals.files + report.totals.unreadableFiles,
    totals,
    rules: report.rules.map((rule) => ({
      ...rule,
      samples: rule.samples.map((sample) => ({ ...sample, where: 'any file' })),
    })),
    errors: report.errors.map((error) => error.message).sort(),
    moreErrors: report.moreErrors,
  };
}

let run = 0;

describe('evaluating log files one by one and merging their reports', () => {
  it('gives what evaluating their records as one file gives, however they were split and merged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            kind: fc.constantFrom(...kinds),
            day: fc.integer({ min: 1, max: 4 }),
            hour: fc.integer({ min: 0, max: 23 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (drawn, splits, cuts) => {
          run += 1;
          const records = drawn.map(({ kind, day, hour }, id) => recordOf(kind, id + 1, day, hour));
          const whole = await evaluate(
            evaluator,
            await writeLogFile(join(dir, `${run}-whole.json.gz`), records),
          );
          const points = [...new Set(splits.map((at) => at % records.length))].sort(
            (a, b) => a - b,
          );
          const bounds = [0, ...points.filter((at) => at > 0), records.length];
          const parts: BacktestReport[] = [];
          const batch = evaluator.batch();
          for (let i = 0; i + 1 < bounds.length; i += 1) {
            const slice = records.slice(bounds[i], bounds[i + 1]);
            const ref = await writeLogFile(join(dir, `${run}-part-${i}.json.gz`), slice);
            parts.push(await evaluate(evaluator, ref));
            await batch.add(ref, logFileChunks(ref, noS3));
          }
          // Reversed and regrouped: partial results come back in any order.
          const merged = mergeInTree(parts.reverse(), cuts, mergeReports);
          expect(content(merged)).toEqual({ ...content(whole), read: parts.length });
          expect(merged.totals.files).toBe(parts.length);
          // A worker's batch of the same files reports what merging their reports gives.
          expect(await batch.report()).toEqual(merged);
        },
      ),
      { numRuns: 40 },
    );
  });
});
