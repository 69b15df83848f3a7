import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import {
  decodeDocument,
  decodeEventFile,
  LocalFileError,
  sourceLimits,
  type SourceLimits,
} from '../sources/index.js';
import type { DecodedBatch } from '../sources/steward-event.js';
import { projectRootOf } from './project.js';
import { factNames } from './facts.js';
import { checkRuleDirectory, compileRule, type RuleCheck } from './load.js';
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

/** Where a rule test's `eventFile` may be read from, and how much of it. */
export interface EventFileScope {
  /** A real path (symlinks resolved): event files must resolve to a file inside it. */
  root: string;
  limits: SourceLimits;
}

/**
 * The tree a rules directory's tests may read event files from: the project that holds the
 * rules, i.e. the nearest directory from the rules directory up that has a `package.json`, or
 * else the rules directory's parent. `rules/x.yaml` may read `../events/x.json`; nothing
 * outside the project (`/etc/shadow`, `/dev/zero`) can be named.
 *
 * @example
 * const scope = await eventFileScope('rules'); // { root: '/home/me/steward', limits }
 */
export async function eventFileScope(
  rulesDir: string,
  limits: SourceLimits = sourceLimits(),
): Promise<EventFileScope> {
  const dir = await realpath(rulesDir);
  return { root: (await projectRootOf(dir)) ?? dirname(dir), limits };
}

/** Refuses `path` unless it is inside `root`, naming both. */
function insideRoot(path: string, root: string, eventFile: string): void {
  const inside = relative(root, path);
  if (inside !== '' && inside.split(sep)[0] !== '..' && !isAbsolute(inside)) return;
  const resolved = path === eventFile ? '' : ` (it is ${path})`;
  throw new LocalFileError(
    `outside ${root}${resolved}: a rule test reads event files only from inside the project that holds its rules`,
    eventFile,
  );
}

/** The real path of a test's event file (symlinks resolved), refused unless it is inside `root`. */
async function eventFilePath(eventFile: string, ruleFile: string, root: string): Promise<string> {
  const path = resolve(dirname(ruleFile), eventFile);
  let real: string;
  try {
    real = await realpath(path);
  } catch (cause) {
    // A missing file outside the project is refused as outside, like any other.
    insideRoot(path, root, eventFile);
    throw new LocalFileError(
      `cannot read: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
      eventFile,
      { cause },
    );
  }
  insideRoot(real, root, eventFile);
  return real;
}

/**
 * The events of a rule test: its `eventFile` (read only inside `scope`) or its inline `event`,
 * decoded as the handlers decode them.
 *
 * @example
 * const { events, errors } = await testEvents(rule.tests[0], 'rules/x.yaml', scope);
 */
export async function testEvents(
  test: RuleTest,
  ruleFile: string,
  scope: EventFileScope,
): Promise<DecodedBatch> {
  if (test.eventFile !== undefined) {
    const path = await eventFilePath(test.eventFile, ruleFile, scope.root);
    const batch = await decodeEventFile(path, scope.limits);
    // Errors name the file as the rule wrote it, not its resolved path.
    for (const error of batch.errors) error.where = error.where.replace(path, test.eventFile);
    return batch;
  }
  return decodeDocument(test.event, 'the inline event');
}

/**
 * Runs one test of one rule: does the rule fire on the event, with the expected actions? An
 * `eventFile` is read only inside `scope` (by default the project that holds the rule file).
 */
export async function runRuleTest(
  rule: CompiledRule,
  test: RuleTest,
  scope?: EventFileScope,
): Promise<RuleTestResult> {
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
    batch = await testEvents(test, rule.file, scope ?? (await eventFileScope(dirname(rule.file))));
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
  return testCheckedRules(await checkRuleDirectory(dir), { scope: await eventFileScope(dir) });
}

/** Which of a checked pack's rules to test, and where their event files may be read from. */
export interface RuleTestSelection {
  /** Where event files may be read; by default the project that holds each rule file. */
  scope?: EventFileScope;
  /** The ids of the rules to test; every rule when absent. */
  only?: ReadonlySet<string>;
}

/**
 * Runs the tests of the rules of a checked pack (`checkRuleFiles`), those `only` names when
 * given. A rule file with problems runs no tests; its problems are the run's.
 *
 * @example
 * const run = await testCheckedRules(check, { only: new Set(['ec2-untagged']) });
 */
export async function testCheckedRules(
  check: RuleCheck,
  selection: RuleTestSelection = {},
): Promise<RuleTestRun> {
  const results: RuleTestResult[] = [];
  // Rule files of one directory share their project: it is looked up once, not per test.
  const scopes = new Map<string, Promise<EventFileScope>>();
  const scopeOf = (file: string) => {
    const dir = dirname(file);
    let scope = scopes.get(dir);
    if (!scope) scopes.set(dir, (scope = eventFileScope(dir)));
    return scope;
  };
  for (const file of check.files) {
    if (!file.rule || file.problems.length > 0) continue;
    if (selection.only && !selection.only.has(file.rule.id)) continue;
    const rule = compileRule(file.rule, file.file, check.lists);
    const scope = selection.scope ?? (await scopeOf(file.file));
    for (const test of file.rule.tests ?? []) results.push(await runRuleTest(rule, test, scope));
  }
  return { results, problems: check.problems.map(formatProblem) };
}
