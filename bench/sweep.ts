/**
 * A sweep's cost against moto (started as the e2e tests start it): the time per 1,000
 * instances of `runSweep` over a rule that flags the tenth without an Owner tag, as a what-if,
 * as a first sweep of its period through the ledger (moto's DynamoDB) and as a second sweep of
 * the period (every action `duplicate`), against the bare paginated DescribeInstances of the
 * same instances: the difference is steward's own work. Also the describe calls each made.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { loadRules } from '../src/rules/load.js';
import { createRuntime } from '../src/runtime.js';
import { runSweep, type SweepSummary } from '../src/sweep/run-sweep.js';
import { FaultProxy } from '../test/support/fault-proxy.js';
import { launchFleet } from '../test/support/moto-instances.js';
import { startMoto } from '../test/support/moto.js';
import { markdownTable } from './measure.js';

const region = 'us-east-1';
/**
 * moto pages DescribeInstances by reservation, and renders a large page slowly (past the SDK
 * clients' 15 s timeout at a few thousand instances): pages of 10 reservations of 50.
 */
const pageSize = 10;
const account = '123456789012';
const rule = 'bench-sweep-instances-without-owner';
const idleRule = 'bench-sweep-fires-on-none';
const idleRuleText = `id: ${idleRule}
description: A sweep whose rule fires on no instance, the cost of the evaluation alone.
kind: audit
severity: low
triggers:
  - source: schedule
    schedule: rate(1 day)
    resources: ec2-instances
conditions:
  all:
    - fact: instance
      path: $.tags.Name
      operator: equal
      value: nobody
actions:
  - action: audit.record
mode: dry-run
`;
const ruleText = `id: ${rule}
description: Instances without an Owner tag (a dry run, recorded in the ledger).
kind: remediation
severity: medium
triggers:
  - source: schedule
    schedule: rate(1 day)
    resources: ec2-instances
conditions:
  all:
    - fact: instance
      path: $.tags.Owner
      operator: absent
      value: true
actions:
  - action: ec2.stop-instances
mode: dry-run
`;

/** One way of going through the instances, timed over the rounds. */
export interface SweepPath {
  name: string;
  /** Milliseconds of each round. */
  ms: number[];
  /** The median round, per 1,000 instances. */
  msPer1000: number;
  /** Of `msPer1000`, the time the sweep spent waiting on its describe calls. */
  describeMsPer1000?: number;
  /** The describe wait of each round. */
  describeMs: number[];
  /** AWS calls of the last round, by operation, as the proxy in front of moto saw them. */
  calls: Record<string, number>;
  matches?: number;
  actions?: SweepSummary['actions'];
}

export interface SweepBenchResult {
  instances: number;
  unowned: number;
  rounds: number;
  paths: SweepPath[];
}

function median(values: readonly number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The first `unowned` instances without an Owner tag, the rest with one. */
async function launch(ec2: EC2Client, instances: number, unowned: number): Promise<void> {
  await launchFleet(ec2, { count: unowned, per: 50, owner: false, name: 'bench' });
  await launchFleet(ec2, { count: instances - unowned, per: 50, owner: true, name: 'bench' });
}

/**
 * Starts moto, launches the instances, and times each path over the rounds.
 *
 * @example
 * const result = await measureSweep({ quick: true, log: console.error });
 * console.log(sweepSection(result));
 */
export async function measureSweep(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<SweepBenchResult> {
  const instances = options.quick ? 500 : 2000;
  const unowned = instances / 10;
  const rounds = options.quick ? 2 : 3;
  options.log('sweep: starting moto…');
  const moto = await startMoto(options.log);
  // Every call goes through a proxy that counts them: the actions' own reads, the ledger's writes.
  const proxy = await FaultProxy.start({ upstream: moto.endpoint });
  const saved = { ...process.env };
  try {
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: proxy.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_SESSION_TOKEN: 'testing',
      AWS_REGION: region,
      AWS_EC2_METADATA_DISABLED: 'true',
      STEWARD_LEDGER_TABLE: `steward-bench-${randomUUID()}`,
      STEWARD_ACCOUNT_ID: account,
    });
    for (const name of ['AWS_PROFILE', 'STEWARD_LIVE', 'STEWARD_DATA_DIR'])
      Reflect.deleteProperty(process.env, name);
    const ec2 = new EC2Client({ region });
    options.log(`sweep: launching ${instances} instances in moto…`);
    await launch(ec2, instances, unowned);
    const rulesDir = await mkdtemp(join(tmpdir(), 'steward-bench-sweep-'));
    await writeFile(join(rulesDir, `${rule}.yaml`), ruleText);
    await writeFile(join(rulesDir, `${idleRule}.yaml`), idleRuleText);
    const runtime = await createRuntime({ rules: () => loadRules(rulesDir), live: true });
    try {
      const targets = [{ account, region }];
      const path = (name: string): SweepPath => ({
        name,
        ms: [],
        msPer1000: 0,
        describeMs: [],
        calls: {},
      });
      const baseline = path('DescribeInstances alone');
      const idle = path('sweep, rule firing on none (what-if)');
      const whatIf = path('sweep, what-if');
      const first = path('sweep, first of its period (ledger)');
      const second = path('sweep, again in the period (duplicates)');
      /** Times one pass, and keeps the calls it made. */
      const time = async (into: SweepPath, pass: () => Promise<SweepSummary | number>) => {
        const before = proxy.records.length;
        const started = performance.now();
        const result = await pass();
        into.ms.push(performance.now() - started);
        into.calls = {};
        for (const request of proxy.records.slice(before))
          into.calls[request.call] = (into.calls[request.call] ?? 0) + 1;
        const seen = typeof result === 'number' ? result : result.resources;
        if (seen !== instances)
          throw new Error(`${into.name}: saw ${seen} of ${instances} instances`);
        if (typeof result === 'number') return;
        if (result.errors.length > 0)
          throw new Error(`${into.name}: ${JSON.stringify(result.errors.slice(0, 3))}`);
        into.describeMs.push(result.describeMs);
        into.matches = result.matches;
        into.actions = result.actions;
      };
      for (let round = 0; round < rounds; round++) {
        options.log(`sweep: round ${round + 1} of ${rounds}…`);
        await time(baseline, async () => {
          let seen = 0;
          for await (const page of paginateDescribeInstances(
            { client: ec2, pageSize },
            { MaxResults: pageSize },
          ))
            for (const reservation of page.Reservations ?? [])
              seen += reservation.Instances?.length ?? 0;
          return seen;
        });
        // Each round a period of its own, so its first sweep claims every action anew.
        const now = new Date(Date.UTC(2030, 0, 1 + round, 6));
        const sweep = (id: string, whatIfOnly: boolean) => () =>
          whatIfOnly
            ? runSweep({ rule: id, targets, now, pageSize }, { whatIf: true, context: runtime })
            : runSweep({ rule: id, targets, now, pageSize }, { whatIf: false, context: runtime });
        await time(idle, sweep(idleRule, true));
        await time(whatIf, sweep(rule, true));
        await time(first, sweep(rule, false));
        await time(second, sweep(rule, false));
      }
      const paths = [baseline, idle, whatIf, first, second];
      for (const each of paths) {
        each.msPer1000 = (median(each.ms) * 1000) / instances;
        if (each.describeMs.length > 0)
          each.describeMsPer1000 = (median(each.describeMs) * 1000) / instances;
      }
      return { instances, unowned, rounds, paths };
    } finally {
      await runtime.close();
    }
  } finally {
    for (const name of Object.keys(process.env))
      if (!(name in saved)) Reflect.deleteProperty(process.env, name);
    Object.assign(process.env, saved);
    await proxy.close();
    await moto.stop();
  }
}

/**
 * The result as BENCHMARKS.md shows it.
 *
 * @example
 * out.push(sweepSection(await measureSweep({ quick, log })));
 */
export function sweepSection(result: SweepBenchResult): string {
  const [baseline] = result.paths;
  const base = baseline?.msPer1000 ?? Number.NaN;
  const ms = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(0));
  const actions = (path: SweepPath) =>
    path.actions === undefined
      ? '-'
      : Object.entries(path.actions)
          .map(([status, count]) => `${count} ${status}`)
          .join(', ') || 'none';
  return [
    `Sweep against moto: ${result.instances.toLocaleString('en-US')} instances, ${result.unowned} without Owner; median of ${result.rounds} rounds. "describe wait" is the time the sweep waited on its DescribeInstances pages; the rest is steward's own work (events, evaluation, planning, the ledger).`,
    '',
    markdownTable([
      [
        'path',
        'ms per 1,000 instances',
        'describe wait',
        'steward',
        'DescribeInstances alone',
        'AWS calls',
        'actions',
      ],
      ...result.paths.map((path) => [
        path.name,
        ms(path.msPer1000),
        ms(path.describeMsPer1000),
        path.describeMsPer1000 === undefined ? '-' : ms(path.msPer1000 - path.describeMsPer1000),
        path === baseline ? '-' : ms(base),
        Object.entries(path.calls)
          .map(([call, count]) => `${count} ${call}`)
          .join(', '),
        actions(path),
      ]),
    ]),
  ].join('\n');
}

// `npx tsx bench/sweep.ts [--quick]`: this part alone.
if (process.argv[1] === new URL(import.meta.url).pathname) {
  const quick = process.argv.includes('--quick');
  const result = await measureSweep({ quick, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${sweepSection(result)}\n`);
}
