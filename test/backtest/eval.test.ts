import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogFileEvaluator } from '../../src/backtest/evaluate-log-file.js';
import { BacktestQueryError } from '../../src/backtest/event-filter.js';
import type { LogFileRef } from '../../src/backtest/log-file-ref.js';
import type { BacktestReport, RuleResult } from '../../src/backtest/report.js';
import type { CompiledRule } from '../../src/rules/rule.js';
import {
  evaluate,
  ruleText,
  rulesOf,
  scratch,
  trailRecord,
  unwatched,
  writeLogFile,
} from './eval-support.js';

let rules: CompiledRule[];
let dir: string;

const bob = {
  type: 'IAMUser',
  principalId: 'AIDABOB',
  arn: 'arn:aws:iam::111122223333:user/bob',
  accountId: '111122223333',
};

beforeAll(async () => {
  dir = await scratch('backtest-eval');
  rules = await rulesOf({
    stop: ruleText('logging-stopped'),
    quiet: ruleText('trail-deleted', {
      triggers: `  - source: cloudtrail
    eventSource: cloudtrail.amazonaws.com
    events: [DeleteTrail]`,
      mode: 'dry-run',
    }),
    prod: ruleText('prod-instance-stopped', {
      triggers: `  - source: cloudtrail
    eventSource: ec2.amazonaws.com
    events: [StopInstances]`,
      conditions: `  all:
    - fact: instance
      path: $.tags.Env
      operator: equal
      value: prod`,
    }),
  });
});

function ruleResult(report: BacktestReport, id: string): RuleResult {
  const found = report.rules.find((rule) => rule.rule === id);
  if (found === undefined) throw new Error(`no result for ${id}`);
  return found;
}

const stopInstances = (id: number) =>
  trailRecord(id, {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'StopInstances',
    requestParameters: { instancesSet: { items: [{ instanceId: 'i-0123456789abcdef0' }] } },
  });

describe('LogFileEvaluator on one log file', () => {
  it('counts what each rule would have done: matches, planned actions, resources, actors, days, samples', async () => {
    const ref = await writeLogFile(join(dir, 'counts.json.gz'), [
      unwatched(1, { eventTime: '2026-10-01T09:00:00Z' }),
      trailRecord(2, { eventTime: '2026-10-01T10:00:00Z' }),
      trailRecord(3, { eventTime: '2026-10-01T11:00:00Z', requestParameters: { name: 'trail-b' } }),
      unwatched(4, { eventTime: '2026-10-02T09:00:00Z' }),
      trailRecord(5, { eventTime: '2026-10-02T12:30:00Z', userIdentity: bob }),
      trailRecord(6, {
        eventTime: '2026-10-02T13:00:00Z',
        userIdentity: { type: 'AWSService', invokedBy: 'cloudtrail.amazonaws.com' },
      }),
    ]);
    const report = await evaluate({ rules, query: { sources: [dir] } }, ref);
    expect(report.version).toBe(1);
    expect(report.query).toEqual({ sources: [dir] });
    expect(report.totals).toEqual({
      files: 1,
      unreadableFiles: 0,
      bytes: ref.bytes,
      records: 6,
      badRecords: 0,
      filteredOut: 0,
      events: 6,
      matchedEvents: 3,
      firstEvent: '2026-10-01T09:00:00.000Z',
      lastEvent: '2026-10-02T13:00:00.000Z',
    });
    expect(report.rules.map((rule) => [rule.rule, rule.mode, rule.matches])).toEqual([
      ['prod-instance-stopped', 'enforce', 0],
      ['trail-deleted', 'dry-run', 0],
      ['logging-stopped', 'enforce', 3],
    ]);
    const stopped = ruleResult(report, 'logging-stopped');
    expect(stopped).toMatchObject({
      plannedActions: { 'audit.record': 3 },
      resources: {
        counts: { 'trail-a': 2, 'trail-b': 1 },
        distinct: 2,
        otherCount: 0,
        capped: false,
      },
      actors: {
        counts: {
          'arn:aws:iam::111122223333:user/alice': 2,
          'arn:aws:iam::111122223333:user/bob': 1,
        },
        distinct: 2,
      },
      firstSeen: '2026-10-01T10:00:00.000Z',
      lastSeen: '2026-10-02T12:30:00.000Z',
      perDay: { '2026-10-01': 2, '2026-10-02': 1 },
      needsLiveState: 0,
      evaluationErrors: 0,
    });
    expect(stopped.samples[0]).toEqual({
      id: '00000000-0000-4000-8000-000000000002',
      time: '2026-10-01T10:00:00.000Z',
      name: 'StopLogging',
      account: '111122223333',
      region: 'us-east-1',
      resources: ['trail-a'],
      actor: 'arn:aws:iam::111122223333:user/alice',
      where: `${ref.kind === 'file' ? ref.path : ''}: Records[1]`,
      explanation: ['✓ all', '  ✓ record $.userIdentity.type notEqual "AWSService": saw "IAMUser"'],
      planned: [
        {
          action: 'audit.record',
          resource: 'trail-a',
          detail:
            'would record a high finding of logging-stopped on trail-a for cloudtrail StopLogging: logging stopped',
        },
      ],
    });
    expect(report.errors).toEqual([]);
  });

  it('keeps as samples the earliest matches by time, then id, whatever their order in the file', async () => {
    const times = ['12:00:00', '08:00:00', '10:00:00', '08:00:00', '09:00:00'];
    const ref = await writeLogFile(
      join(dir, 'samples.json.gz'),
      times.map((time, i) => trailRecord(10 - i, { eventTime: `2026-10-01T${time}Z` })),
    );
    const stopped = ruleResult(
      await evaluate({ rules, query: { sources: [] } }, ref),
      'logging-stopped',
    );
    expect(stopped.matches).toBe(5);
    expect(stopped.samples.map((sample) => [sample.time, sample.id.slice(-2)])).toEqual([
      ['2026-10-01T08:00:00.000Z', '07'],
      ['2026-10-01T08:00:00.000Z', '09'],
      ['2026-10-01T09:00:00.000Z', '06'],
    ]);
  });
});

describe('the query’s filters', () => {
  let ref: LogFileRef;

  beforeAll(async () => {
    ref = await writeLogFile(join(dir, 'filters.json.gz'), [
      trailRecord(1, { eventTime: '2026-10-01T00:00:00Z' }),
      trailRecord(2, { eventTime: '2026-10-01T23:59:59Z', awsRegion: 'eu-west-1' }),
      trailRecord(3, { eventTime: '2026-10-02T00:00:00Z' }),
      trailRecord(4, { eventTime: '2026-10-01T12:00:00Z', recipientAccountId: '444455556666' }),
      // Not CloudTrail's own shape of a time: compared by what it means.
      trailRecord(5, { eventTime: '2026-10-01T14:00:00.500+02:00' }),
    ]);
  });

  it('counts an event only when since <= time < until, and the others as filtered out', async () => {
    const report = await evaluate(
      { rules, query: { sources: [], since: '2026-10-01T00:00:00Z', until: '2026-10-02' } },
      ref,
    );
    expect(report.totals).toMatchObject({
      records: 5,
      filteredOut: 1,
      events: 4,
      matchedEvents: 4,
    });
    expect(report.totals.lastEvent).toBe('2026-10-01T23:59:59.000Z');
    const later = await evaluate(
      { rules, query: { sources: [], since: '2026-10-01T12:00:00.001Z' } },
      ref,
    );
    expect(later.totals).toMatchObject({ filteredOut: 2, events: 3 });
    expect(ruleResult(later, 'logging-stopped').firstSeen).toBe('2026-10-01T12:00:00.500Z');
  });

  it('counts only the accounts and regions asked for', async () => {
    const accounts = await evaluate(
      { rules, query: { sources: [], accounts: ['444455556666'] } },
      ref,
    );
    expect(accounts.totals).toMatchObject({ filteredOut: 4, events: 1 });
    expect(ruleResult(accounts, 'logging-stopped').samples.map((sample) => sample.account)).toEqual(
      ['444455556666'],
    );
    const regions = await evaluate(
      { rules, query: { sources: [], regions: ['eu-west-1', 'ap-south-1'] } },
      ref,
    );
    expect(regions.totals).toMatchObject({ filteredOut: 4, events: 1, matchedEvents: 1 });
  });

  it('evaluates and reports only the rules named', async () => {
    const report = await evaluate(
      { rules, query: { sources: [], ruleIds: ['trail-deleted'] } },
      ref,
    );
    expect(report.rules.map((rule) => rule.rule)).toEqual(['trail-deleted']);
    expect(report.totals).toMatchObject({ events: 5, matchedEvents: 0 });
  });

  it('refuses a query that cannot run, saying which option is wrong', () => {
    expect(
      () => new LogFileEvaluator({ rules, query: { sources: [], since: 'last week' } }),
    ).toThrow(new BacktestQueryError('since: "last week" is not an ISO 8601 time'));
    expect(
      () =>
        new LogFileEvaluator({
          rules,
          query: { sources: [], ruleIds: ['nope', 'logging-stopped'] },
        }),
    ).toThrow(new BacktestQueryError('rule nope: not in the rule pack'));
  });
});

describe('lazy facts', () => {
  let ref: LogFileRef;

  beforeAll(async () => {
    ref = await writeLogFile(join(dir, 'lazy.json.gz'), [
      stopInstances(1),
      stopInstances(2),
      unwatched(3),
    ]);
  });

  it('are never fetched: an event whose verdict needs one counts as needing live state, not as a match or an error', async () => {
    const report = await evaluate({ rules, query: { sources: [] } }, ref);
    expect(ruleResult(report, 'prod-instance-stopped')).toMatchObject({
      matches: 0,
      needsLiveState: 2,
      liveFacts: ['instance'],
      evaluationErrors: 0,
      samples: [],
    });
    expect(report.totals.matchedEvents).toBe(0);
    expect(report.errors).toEqual([]);
  });

  it('are answered by stubs when given', async () => {
    const prod = await evaluate(
      { rules, query: { sources: [] }, factStubs: { instance: { tags: { Env: 'prod' } } } },
      ref,
    );
    const result = ruleResult(prod, 'prod-instance-stopped');
    expect(result).toMatchObject({ matches: 2, needsLiveState: 0, liveFacts: [] });
    expect(result.samples[0]?.explanation).toEqual([
      '✓ all',
      '  ✓ instance $.tags.Env equal "prod": saw "prod"',
    ]);
    expect(result.resources.counts).toEqual({ 'i-0123456789abcdef0': 2 });
    const dev = await evaluate(
      { rules, query: { sources: [] }, factStubs: { instance: { tags: { Env: 'dev' } } } },
      ref,
    );
    expect(ruleResult(dev, 'prod-instance-stopped')).toMatchObject({
      matches: 0,
      needsLiveState: 0,
    });
  });
});

describe('bad input', () => {
  async function evaluated(name: string, content: unknown[] | Uint8Array): Promise<BacktestReport> {
    return evaluate(
      { rules, query: { sources: [] } },
      await writeLogFile(join(dir, name), content),
    );
  }

  it('a file that is neither gzip nor a CloudTrail log file is unreadable, and the error names it', async () => {
    const path = join(dir, 'notes.txt');
    const report = await evaluated(
      'notes.txt',
      Buffer.from('these are not the logs you are looking for'),
    );
    expect(report.totals).toMatchObject({ files: 0, unreadableFiles: 1, records: 0 });
    expect(report.errors).toEqual([
      {
        where: path,
        message: 'not a CloudTrail log file: expected {"Records": [...]}, got a boolean',
      },
    ]);
    const other = await evaluated('other.json.gz', gzipSync(JSON.stringify({ hello: 'world' })));
    expect(other.errors).toEqual([
      {
        where: join(dir, 'other.json.gz'),
        message:
          'not a CloudTrail log file: expected {"Records": [...]}, got an object with keys "hello"',
      },
    ]);
  });

  it('a truncated gzip keeps the records before the cut and makes the file unreadable', async () => {
    const records = Array.from({ length: 400 }, (_, i) => trailRecord(i + 1));
    const whole = gzipSync(JSON.stringify({ Records: records }));
    const report = await evaluated(
      'cut.json.gz',
      whole.subarray(0, Math.floor(whole.length * 0.6)),
    );
    expect(report.totals.unreadableFiles).toBe(1);
    expect(report.totals.files).toBe(0);
    expect(report.totals.records).toBeGreaterThan(0);
    expect(report.totals.records).toBeLessThan(400);
    expect(ruleResult(report, 'logging-stopped').matches).toBe(report.totals.records);
    expect(report.errors).toEqual([
      { where: join(dir, 'cut.json.gz'), message: 'not valid gzip: unexpected end of file' },
    ]);
  });

  it('a record that is not a CloudTrail record is an error naming file and record; the others go on', async () => {
    const report = await evaluated('records.json.gz', [
      trailRecord(1),
      42,
      trailRecord(3, { eventName: undefined }),
      trailRecord(4, { eventTime: 'yesterday' }),
      trailRecord(5),
    ]);
    const file = join(dir, 'records.json.gz');
    expect(report.totals).toMatchObject({
      files: 1,
      records: 2,
      badRecords: 3,
      events: 2,
      matchedEvents: 2,
    });
    expect(report.errors).toEqual([
      {
        where: `${file}: Records[1]`,
        message: 'CloudTrail record is not an object (got a number)',
      },
      { where: `${file}: Records[2]`, message: 'CloudTrail record has no eventName' },
      { where: `${file}: Records[3]`, message: 'eventTime "yesterday" is not an ISO 8601 time' },
    ]);
  });

  it('a missing file is unreadable, and the error says why', async () => {
    const path = join(dir, 'gone.json.gz');
    const report = await evaluate(
      { rules, query: { sources: [] } },
      { kind: 'file', path, bytes: 10 },
    );
    expect(report.totals).toMatchObject({ files: 0, unreadableFiles: 1, bytes: 0 });
    expect(report.errors).toEqual([
      { where: path, message: 'could not read file: cannot read: ENOENT' },
    ]);
  });

  it('a read that fails midway is unreadable after the records already read', async () => {
    const evaluator = new LogFileEvaluator({ rules, query: { sources: [] } });
    const text = JSON.stringify({ Records: [trailRecord(1), trailRecord(2)] });
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(text.slice(0, text.length - 10));
      throw new Error('the disk went away');
    }
    const report = await evaluator.evaluate(
      { kind: 'file', path: 'midway.json', bytes: 0 },
      failing(),
    );
    expect(report.totals).toMatchObject({ unreadableFiles: 1, records: 1 });
    expect(report.errors).toEqual([
      { where: 'midway.json', message: 'could not read file: the disk went away' },
    ]);
  });

  it('keeps the first errors by where, and counts the others', async () => {
    const report = await evaluated(
      'many-bad.json.gz',
      Array.from({ length: 250 }, (_, i) => i),
    );
    const file = join(dir, 'many-bad.json.gz');
    const wheres = Array.from({ length: 250 }, (_, i) => `${file}: Records[${i}]`).sort();
    expect(report.totals.badRecords).toBe(250);
    expect(report.errors.map((error) => error.where)).toEqual(wheres.slice(0, 100));
    expect(report.moreErrors).toBe(150);
  });
});

describe('actions that cannot be planned', () => {
  it('count in the rule’s evaluationErrors, with an error naming rule and record; the match stands and the other rules go on', async () => {
    const [stop] = rules.filter((rule) => rule.id === 'logging-stopped');
    if (stop === undefined) throw new Error('no logging-stopped rule');
    const faulty = (id: string, fault: 'targets' | 'describe'): CompiledRule => ({
      ...stop,
      id,
      actions: stop.actions.map((planned) => ({
        ...planned,
        definition: {
          ...planned.definition,
          [fault]: () => {
            throw new TypeError(`the ${fault} broke`);
          },
        },
      })),
    });
    const ref = await writeLogFile(join(dir, 'faulty.json.gz'), [trailRecord(1)]);
    const report = await evaluate(
      {
        rules: [faulty('no-targets', 'targets'), faulty('no-plan', 'describe'), stop],
        query: { sources: [] },
      },
      ref,
    );
    const where = `${join(dir, 'faulty.json.gz')}: Records[0]`;
    expect(report.rules.map((rule) => [rule.rule, rule.matches, rule.evaluationErrors])).toEqual([
      ['no-targets', 1, 1],
      ['no-plan', 1, 1],
      ['logging-stopped', 1, 0],
    ]);
    expect(ruleResult(report, 'no-targets').plannedActions).toEqual({});
    expect(ruleResult(report, 'no-plan').plannedActions).toEqual({});
    expect(ruleResult(report, 'no-plan').samples[0]?.planned).toEqual([
      {
        action: 'audit.record',
        resource: 'trail-a',
        detail:
          'audit.record could not describe its plan for trail-a: TypeError: the describe broke',
      },
    ]);
    expect(report.errors).toEqual([
      {
        where,
        message:
          'audit.record could not describe its plan for trail-a: TypeError: the describe broke',
      },
      {
        where,
        message:
          'rule no-targets: the targets of audit.record could not be found: TypeError: the targets broke',
      },
    ]);
  });
});
