/**
 * `npm run bench:phases`: where an event's time goes at 100 and at 10,000 rules. For each
 * size, the events of `npm run bench` (all distinct), then 100 of them repeated (so the rules
 * they reach stay in the CPU's caches), each timed in three nested phases: finding the
 * listeners (`RuleIndex.listeners`), narrowing them (`candidates`), and the whole match
 * (`match`); with the work the index reports per event (`RuleIndex.lookupWork`). Every figure
 * is the median of interleaved passes, since the machine is shared.
 */
import { RuleIndex } from '../src/rules/rule-index.js';
import type { StewardEvent } from '../src/sources/steward-event.js';
import { compileRules, eventStream, factStubs, ruleDocuments } from './generate.js';
import { markdownTable, median } from './measure.js';

const eventCount = 20_000;
const passes = 7;

interface Case {
  label: string;
  rules: number;
  index: RuleIndex;
  events: StewardEvent[];
}

const cases: Case[] = [100, 10_000].flatMap((rules) => {
  process.stderr.write(`building ${rules} rules…\n`);
  const index = new RuleIndex(compileRules(ruleDocuments(rules)));
  const events = eventStream(eventCount, rules);
  const repeated = Array.from({ length: eventCount }, (_, i) => events[i % 100] as StewardEvent);
  return [
    { label: `${eventCount.toLocaleString('en')} distinct`, rules, index, events },
    { label: '100 distinct, repeated', rules, index, events: repeated },
  ];
});

async function microsPerEvent(
  events: readonly StewardEvent[],
  run: (event: StewardEvent) => unknown,
) {
  const start = process.hrtime.bigint();
  for (const event of events) await run(event);
  return Number(process.hrtime.bigint() - start) / 1e3 / events.length;
}

const phases = {
  listeners: (item: Case) => microsPerEvent(item.events, (event) => item.index.listeners(event)),
  narrowed: (item: Case) => microsPerEvent(item.events, (event) => item.index.candidates(event)),
  matched: (item: Case) =>
    microsPerEvent(item.events, (event) => item.index.match(event, { stubs: factStubs })),
};
type Phase = keyof typeof phases;

for (const item of cases) await phases.matched(item);
const times = new Map(
  cases.map((item) => [
    item,
    { listeners: [], narrowed: [], matched: [] } as Record<Phase, number[]>,
  ]),
);
for (let pass = 0; pass < passes; pass++) {
  process.stderr.write(`pass ${pass + 1} of ${passes}…\n`);
  for (const item of cases) {
    for (const phase of Object.keys(phases) as Phase[])
      times.get(item)?.[phase].push(await phases[phase](item));
  }
}

const mean = (item: Case, pick: (work: ReturnType<RuleIndex['lookupWork']>) => number) =>
  item.events.reduce((sum, event) => sum + pick(item.index.lookupWork(event)), 0) /
  item.events.length;
const rows = cases.map((item) => {
  const time = times.get(item) as Record<Phase, number[]>;
  const [listeners, narrowed, matched] = [time.listeners, time.narrowed, time.matched].map(median);
  return [
    item.rules.toLocaleString('en'),
    item.label,
    (listeners as number).toFixed(2),
    ((narrowed as number) - (listeners as number)).toFixed(2),
    ((matched as number) - (narrowed as number)).toFixed(2),
    (matched as number).toFixed(2),
    mean(item, (work) => work.listeners).toFixed(1),
    mean(item, (work) => work.triggerTests).toFixed(2),
    mean(item, (work) => work.guardKeys).toFixed(2),
    mean(item, (work) => work.candidates).toFixed(2),
  ];
});
const header = [
  'rules',
  'events',
  'listeners µs',
  'narrowing µs',
  'evaluation µs',
  'total µs',
  'listeners',
  'trigger tests',
  'guard keys',
  'candidates',
];
process.stdout.write(`${markdownTable([header, ...rows])}\n`);
