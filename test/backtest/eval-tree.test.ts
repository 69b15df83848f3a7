import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogFileEvaluator } from '../../src/backtest/evaluate-log-file.js';
import type { LogFileRef } from '../../src/backtest/log-file-ref.js';
import { emptyReport, mergeReports } from '../../src/backtest/merge.js';
import type { BacktestReport } from '../../src/backtest/report.js';
import { planBatch, type PipelineReport } from '../../src/pipeline.js';
import { loadRules } from '../../src/rules/load.js';
import type { CompiledRule } from '../../src/rules/rule.js';
import { createEvaluation } from '../../src/runtime.js';
import { decodeEventFile } from '../../src/sources/index.js';
import { repoPath } from '../support/files.js';
import { evaluate, scratch, unwatched, writeLogFile } from './eval-support.js';

const organization = 'o-abc123def4';
const accounts = ['111122223333', '444455556666', '777788889999'];
const regions = ['us-east-1', 'eu-west-1'];
const days = ['2026-10-01', '2026-10-02'];

/** The CloudTrail records of the repository's sample EventBridge events: calls the shipped rules watch. */
async function watchedRecords(): Promise<Record<string, unknown>[]> {
  const files = [
    ...(await readdir(repoPath('events'))).filter((name) => /^cloudtrail-.*\.json$/.test(name)),
    ...(await readdir(repoPath('events/cloudtrail'))).map((name) => `cloudtrail/${name}`),
  ];
  const records: Record<string, unknown>[] = [];
  for (const file of files.sort()) {
    const envelope = JSON.parse(await readFile(repoPath(`events/${file}`), 'utf8')) as {
      detail?: Record<string, unknown>;
    };
    if (envelope.detail !== undefined && typeof envelope.detail.eventName === 'string')
      records.push(envelope.detail);
  }
  return records;
}

let rules: CompiledRule[];
const files: { ref: LogFileRef; path: string }[] = [];

beforeAll(async () => {
  rules = await loadRules(repoPath('rules'));
  const watched = await watchedRecords();
  expect(watched.length).toBeGreaterThan(20);
  const root = await scratch('backtest-tree');
  let next = 0;
  for (const account of accounts)
    for (const region of regions)
      for (const day of days) {
        const records: unknown[] = [];
        for (let i = 0; i < 12; i += 1) {
          const id = (next += 1);
          const fields = {
            eventID: `00000000-0000-4000-9000-${String(id).padStart(12, '0')}`,
            eventTime: `${day}T${String(i * 2).padStart(2, '0')}:15:00Z`,
            recipientAccountId: account,
            awsRegion: region,
          };
          // Three watched calls a file, the same one never twice in it, between unwatched ones.
          const sample =
            i % 4 === 1 ? watched[(id + Math.floor(id / 7)) % watched.length] : undefined;
          records.push(sample === undefined ? unwatched(id, fields) : { ...sample, ...fields });
        }
        const [yyyy, mm, dd] = day.split('-');
        const path = join(
          root,
          'AWSLogs',
          organization,
          account,
          'CloudTrail',
          region,
          yyyy as string,
          mm as string,
          dd as string,
          `${account}_CloudTrail_${region}_${day.replaceAll('-', '')}T0000Z_${id36(next)}.json.gz`,
        );
        files.push({ ref: await writeLogFile(path, records), path });
      }
});

function id36(n: number): string {
  return n.toString(36).padStart(16, '0');
}

/** (rule, event id) of every match a pipeline report holds. */
function pipelineMatches(report: PipelineReport): string[] {
  return report.events.flatMap((event) =>
    event.matches.map((match) => `${match.rule} ${event.id}`),
  );
}

/** (rule, event id) of every match of a file's report: each rule matched at most three, all samples. */
function evaluatorMatches(report: BacktestReport): string[] {
  return report.rules.flatMap((rule) => {
    expect(rule.samples.length).toBe(rule.matches);
    return rule.samples.map((sample) => `${rule.rule} ${sample.id}`);
  });
}

describe('a backtest over an organization’s log file tree', () => {
  it('matches, file by file, what steward run --what-if plans on each file, and merges to the same totals', async () => {
    expect(files).toHaveLength(accounts.length * regions.length * days.length);
    const evaluator = new LogFileEvaluator({ rules, query: { sources: ['AWSLogs/'] } });
    const evaluation = await createEvaluation({ rules: () => Promise.resolve(rules), live: false });
    let total = emptyReport({ sources: ['AWSLogs/'] }, rules);
    const everyMatch: string[] = [];
    const plannedByRule = new Map<string, Record<string, number>>();
    for (const { ref, path } of files) {
      const report = await evaluate(evaluator, ref);
      const planned = await planBatch(await decodeEventFile(path), {
        ...evaluation,
        readObjects: false,
      });
      expect(planned.errors).toEqual([]);
      expect(report.errors).toEqual([]);
      expect(evaluatorMatches(report).sort()).toEqual(pipelineMatches(planned).sort());
      everyMatch.push(...pipelineMatches(planned));
      for (const event of planned.events)
        for (const match of event.matches) {
          const counts = plannedByRule.get(match.rule) ?? {};
          for (const action of match.actions)
            if (action.status === 'planned')
              counts[action.action] = (counts[action.action] ?? 0) + 1;
          plannedByRule.set(match.rule, counts);
        }
      // The planned actions of a sample are those the pipeline planned for that event and rule.
      for (const rule of report.rules)
        for (const sample of rule.samples) {
          const event = planned.events.find((candidate) => candidate.id === sample.id);
          const match = event?.matches.find((candidate) => candidate.rule === rule.rule);
          expect(sample.planned).toEqual(
            (match?.actions ?? []).map(({ action, resource, detail }) => ({
              action,
              resource,
              detail,
            })),
          );
        }
      total = mergeReports(total, report);
    }
    expect(total.totals).toMatchObject({
      files: files.length,
      unreadableFiles: 0,
      records: files.length * 12,
      events: files.length * 12,
      firstEvent: '2026-10-01T00:15:00.000Z',
      lastEvent: '2026-10-02T22:15:00.000Z',
    });
    expect(everyMatch.length).toBeGreaterThan(files.length);
    const fired = total.rules.filter((rule) => rule.matches > 0);
    expect(fired.length).toBeGreaterThan(8);
    for (const rule of total.rules) {
      expect(rule.matches).toBe(
        everyMatch.filter((match) => match.startsWith(`${rule.rule} `)).length,
      );
      expect(rule.plannedActions).toEqual(plannedByRule.get(rule.rule) ?? {});
      expect(Object.values(rule.perDay).reduce((a, b) => a + b, 0)).toBe(rule.matches);
    }
  });
});
