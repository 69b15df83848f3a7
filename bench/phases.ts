/**
 * `npm run bench:phases`: what an event costs `RuleIndex.match` at 100 and at 10,000 rules, and
 * the work behind it. For each size, the events of `npm run bench` (all distinct), then 100 of
 * them repeated (so the rules they reach stay in the CPU's caches), each timed as the median
 * of interleaved passes (the machine is shared), with the work the index reports per event
 * (`lookupWork` of `rule-work.ts`) and the rules that fire.
 */
import { RuleIndex } from '../src/rules/rule-index.js';
import type { StewardEvent } from '../src/sources/steward-event.js';
import { compileRules, eventStream, factStubs, ruleDocuments } from './generate.js';
import { markdownTable, median } from './measure.js';
import { lookupWork } from './rule-work.js';

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

async function microsPerEvent(item: Case): Promise<number> {
  const start = process.hrtime.bigint();
  for (const event of item.events) await item.index.match(event, { stubs: factStubs });
  return Number(process.hrtime.bigint() - start) / 1e3 / item.events.length;
}

for (const item of cases) await microsPerEvent(item);
const times = new Map(cases.map((item) => [item, [] as number[]]));
for (let pass = 0; pass < passes; pass++) {
  process.stderr.write(`pass ${pass + 1} of ${passes}…\n`);
  // Each pass starts with another case, so none is always timed after the same one.
  for (let i = 0; i < cases.length; i++) {
    const item = cases[(i + pass) % cases.length] as Case;
    times.get(item)?.push(await microsPerEvent(item));
  }
}

const rows: string[][] = [];
for (const item of cases) {
  const work = { listeners: 0, triggerTests: 0, prerequisiteKeys: 0, candidates: 0, fires: 0 };
  for (const event of item.events) {
    const found = lookupWork(item.index, event);
    work.listeners += found.listeners;
    work.triggerTests += found.triggerTests;
    work.prerequisiteKeys += found.prerequisiteKeys;
    work.candidates += found.candidates;
    for (const verdict of await item.index.match(event, { stubs: factStubs }))
      if (verdict.fires) work.fires += 1;
  }
  const perEvent = (count: number, digits = 2) => (count / item.events.length).toFixed(digits);
  rows.push([
    item.rules.toLocaleString('en'),
    item.label,
    median(times.get(item) ?? []).toFixed(2),
    perEvent(work.listeners, 1),
    perEvent(work.prerequisiteKeys),
    perEvent(work.candidates),
    perEvent(work.triggerTests),
    perEvent(work.fires),
  ]);
}
const header = [
  'rules',
  'events',
  'match µs',
  'listeners',
  'prerequisite keys',
  'candidates',
  'trigger tests',
  'fires',
];
process.stdout.write(`${markdownTable([header, ...rows])}\n`);
