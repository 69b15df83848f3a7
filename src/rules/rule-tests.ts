import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { decodeBytes, decodeDocument } from '../sources/index.js';
import type { DecodedBatch } from '../sources/steward-event.js';
import { factNames } from './facts.js';
import { checkRuleDirectory, compileRule } from './load.js';
import { formatProblem } from './problems.js';
import type { CompiledRule, RuleTest } from './rule.js';
import { RuleIndex } from './rule-index.js';

export interface RuleTestResult {
  rule: string;
  file: string;
  test: string;
  passed: boolean;
  /** What differed from the expectation, or why the test could not run. */
  differences: string[];
}

export interface RuleTestRun {
  results: RuleTestResult[];
  /** Rule files that did not load; their tests cannot run. */
  problems: string[];
}

async function testEvents(test: RuleTest, ruleFile: string): Promise<DecodedBatch> {
  if (test.eventFile !== undefined) {
    const path = resolve(dirname(ruleFile), test.eventFile);
    const decoded = decodeBytes(await readFile(path), test.eventFile);
    if (!decoded.ok) return { events: [], objects: [], errors: [decoded.error] };
    return decodeDocument(decoded.value, test.eventFile);
  }
  return decodeDocument(test.event, 'the inline event');
}

/** Runs one test of one rule: does the rule fire on the event, with the expected actions? */
export async function runRuleTest(rule: CompiledRule, test: RuleTest): Promise<RuleTestResult> {
  const result = { rule: rule.id, file: rule.file, test: test.name };
  const fail = (...differences: string[]): RuleTestResult => ({
    ...result,
    passed: false,
    differences,
  });
  if ((test.eventFile === undefined) === (test.event === undefined))
    return fail('give exactly one of eventFile and event');
  const unknownFacts = Object.keys(test.facts ?? {}).filter((name) => !factNames.has(name));
  if (unknownFacts.length > 0) return fail(`unknown facts stubbed: ${unknownFacts.join(', ')}`);
  let batch: DecodedBatch;
  try {
    batch = await testEvents(test, rule.file);
  } catch (error) {
    return fail(`cannot read the event: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (batch.errors.length > 0)
    return fail(...batch.errors.map((error) => `event: ${error.where}: ${error.message}`));
  if (batch.events.length === 0) return fail('the event decodes to no events');
  const index = new RuleIndex([rule]);
  const actions = new Set<string>();
  let fires = false;
  for (const event of batch.events) {
    for (const verdict of await index.match(event, { stubs: test.facts ?? {} })) {
      if (verdict.error !== undefined) return fail(`evaluation failed: ${verdict.error}`);
      if (!verdict.fires) continue;
      fires = true;
      for (const planned of rule.actions) {
        if (planned.definition.targets(event, planned.params).length > 0)
          actions.add(planned.definition.name);
      }
    }
  }
  const differences: string[] = [];
  if (fires !== test.expect.fires)
    differences.push(
      `expected the rule ${test.expect.fires ? 'to fire' : 'not to fire'}, but it ${fires ? 'fired' : 'did not'}`,
    );
  if (test.expect.actions !== undefined && fires) {
    const expected = [...test.expect.actions].sort().join(', ');
    const actual = [...actions].sort().join(', ');
    if (expected !== actual) differences.push(`expected actions [${expected}], got [${actual}]`);
  }
  return { ...result, passed: differences.length === 0, differences };
}

/** Runs the tests of every rule file in `dir`. */
export async function runRuleTests(dir: string): Promise<RuleTestRun> {
  const check = await checkRuleDirectory(dir);
  const results: RuleTestResult[] = [];
  for (const file of check.files) {
    if (!file.rule || file.problems.length > 0) continue;
    const rule = compileRule(file.rule, file.file, check.lists);
    for (const test of file.rule.tests ?? []) results.push(await runRuleTest(rule, test));
  }
  return { results, problems: check.problems.map(formatProblem) };
}
