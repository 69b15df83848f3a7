import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import type { NestedCondition, TopLevelCondition } from 'json-rules-engine';
import { LineCounter, parseDocument } from 'yaml';
import ruleSchema from '../../schema/rule.schema.json' with { type: 'json' };
import { actionCatalog } from '../actions/catalog.js';
import { compileRule } from './compile.js';
import { withCatalogNamesUnchecked } from './rule-schema.js';
import { unknownPlaceholders } from '../actions/template.js';
import { factNames } from './facts.js';
import { compileLogFilter, LogFilterSyntaxError } from './log-filter.js';
import { listsFileFor, loadLists } from './lists.js';
import type { NamedLists } from './lists.js';
import { operatorValueProblem } from './conditions/operator-values.js';
import { operatorNames } from './conditions/operators.js';
import type { CompiledRule, RuleDocument } from './rule.js';
import { scopeProblems } from './scope.js';
import { RuleLoadError, type RuleProblem } from './problems.js';
import { schemaProblems } from './schema-problems.js';
import { SourceMap, type PathSegment } from './source-map.js';
import { checksTriggerEvents, triggerEventProblems } from './trigger-events.js';
import { eventCatalogFiles } from './event-catalog/catalog.js';
import { aliasProblem } from './yaml-aliases.js';
import { checkSweepFilters, SweepFilterError } from '../sweep/filters.js';

// The schemas compiled here are steward's own, checked against JSON Schema's meta-schema by a test
// (rule-schema.test.ts): checking them again cost every command that reads rules about 60 ms,
// 6 % of `steward validate rules`, compiling the meta-schema.
const ajv = new Ajv({
  allErrors: true,
  strict: false,
  discriminator: true,
  useDefaults: false,
  validateSchema: false,
});
let ruleDocumentValidator: ValidateFunction<RuleDocument> | undefined;

/** The schema check; compiled on first use, so commands that never read a rule file do not pay for it. */
function ruleDocumentSchema(): ValidateFunction<RuleDocument> {
  ruleDocumentValidator ??= ajv.compile<RuleDocument>(withCatalogNamesUnchecked(ruleSchema));
  return ruleDocumentValidator;
}
const paramValidators = new Map<string, ValidateFunction>();

function paramsValidator(actionName: string): ValidateFunction | undefined {
  const action = actionCatalog.get(actionName);
  if (!action) return undefined;
  let validator = paramValidators.get(actionName);
  if (!validator) {
    validator = ajv.compile(action.paramsSchema);
    paramValidators.set(actionName, validator);
  }
  return validator;
}

function checkConditions(
  condition: TopLevelCondition | NestedCondition,
  path: PathSegment[],
  source: SourceMap,
  lists: NamedLists,
  problems: RuleProblem[],
): void {
  if ('all' in condition || 'any' in condition) {
    const key = 'all' in condition ? 'all' : 'any';
    const list = 'all' in condition ? condition.all : condition.any;
    list.forEach((child, index) =>
      checkConditions(child, [...path, key, index], source, lists, problems),
    );
    return;
  }
  if ('not' in condition) {
    checkConditions(condition.not, [...path, 'not'], source, lists, problems);
    return;
  }
  if ('condition' in condition) return;
  if (!factNames.has(condition.fact)) {
    problems.push(
      source.problem(
        [...path, 'fact'],
        `unknown fact "${condition.fact}"; known facts: ${[...factNames].join(', ')}`,
      ),
    );
  }
  if (!operatorNames.has(condition.operator)) {
    const plain = [...operatorNames].filter((name) => !name.includes(':'));
    problems.push(
      source.problem(
        [...path, 'operator'],
        `unknown operator "${condition.operator}"; known operators: ${plain.join(', ')} (each also as someFact:, everyFact:, not: …)`,
      ),
    );
    return;
  }
  const valueProblem = operatorValueProblem(condition.operator, condition.value, lists);
  if (valueProblem) problems.push(source.problem([...path, 'value'], valueProblem));
}

function checkMeaning(rule: RuleDocument, source: SourceMap, lists: NamedLists): RuleProblem[] {
  const problems: RuleProblem[] = [];
  rule.actions.forEach(({ action, params }, index) => {
    const definition = actionCatalog.get(action);
    if (!definition) {
      problems.push(
        source.problem(
          ['actions', index, 'action'],
          `unknown action "${action}"; known actions: ${[...actionCatalog.keys()].join(', ')}`,
        ),
      );
      return;
    }
    const validate = paramsValidator(action);
    if (validate && !validate(params ?? {})) {
      problems.push(...schemaProblems(validate.errors ?? [], source, ['actions', index, 'params']));
    }
    if (definition.destructive && rule.allowDestructive !== true) {
      problems.push(
        source.problem(
          ['actions', index, 'action'],
          `"${action}" is destructive: the rule must set allowDestructive: true to use it`,
        ),
      );
    }
    const strings = JSON.stringify(params ?? {});
    for (const unknown of unknownPlaceholders(strings)) {
      problems.push(
        source.problem(
          ['actions', index, 'params'],
          `unknown placeholder \${${unknown}} in the parameters of "${action}"`,
        ),
      );
    }
  });
  rule.triggers.forEach((trigger, index) => {
    if (
      trigger.source === 'cloudtrail' &&
      trigger.match?.errorCode !== undefined &&
      trigger.includeFailedCalls !== true
    ) {
      problems.push(
        source.problem(
          ['triggers', index, 'match', 'errorCode'],
          'matching errorCode needs includeFailedCalls: true',
          true,
        ),
      );
    }
    if (trigger.source === 'cloudtrail' || trigger.source === 'eventbridge') {
      for (const path of Object.keys(trigger.match ?? {})) {
        const arrayIndex = path.split('.').find((segment) => /^\d+$/.test(segment));
        if (arrayIndex === undefined) continue;
        problems.push(
          source.problem(
            ['triggers', index, 'match', path],
            `match path ${path} names the array index ${arrayIndex}: a path through an array matches when any element matches, as in EventBridge, so leave the index out`,
          ),
        );
      }
    }
    if (trigger.source === 'schedule') {
      try {
        checkSweepFilters(trigger.resources, trigger.filters);
      } catch (error) {
        if (!(error instanceof SweepFilterError)) throw error;
        problems.push(source.problem(['triggers', index, 'filters'], error.message));
      }
    }
    if (trigger.source === 'cloudwatch-logs' && trigger.filter !== undefined) {
      try {
        compileLogFilter(trigger.filter);
      } catch (error) {
        if (!(error instanceof LogFilterSyntaxError)) throw error;
        problems.push(source.problem(['triggers', index, 'filter'], `filter: ${error.message}`));
      }
    }
  });
  if (rule.scope) {
    for (const { dimension, index, message } of scopeProblems(rule.scope, lists))
      problems.push(source.problem(['scope', dimension, index], `scope.${dimension}: ${message}`));
  }
  if (rule.conditions) checkConditions(rule.conditions, ['conditions'], source, lists, problems);
  return problems;
}

/** One rule file read and checked: the rule when its shape is valid, and every problem found. */
export interface LoadedRuleFile {
  file: string;
  rule?: RuleDocument;
  problems: RuleProblem[];
  /** A problem at a place in the rule (`['triggers', 0, 'events', 1]`), with its line and column. */
  problemAt(path: readonly PathSegment[], message: string): RuleProblem;
}

/**
 * Parses and checks one rule file's text; `file` names it in every problem. Everything but the
 * triggers' CloudTrail event names, which `checkRuleText` checks against the event catalog.
 *
 * @example
 * parseRuleText('id: x\n', 'rules/x.yaml').problems[0]; // { file: 'rules/x.yaml', line: 1, column: 1, … }
 */
export function parseRuleText(
  text: string,
  file: string,
  lists: NamedLists = new Map(),
): LoadedRuleFile {
  const lines = new LineCounter();
  const document = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const source = new SourceMap(file, document, lines);
  const problemAt = (path: readonly PathSegment[], message: string) =>
    source.problem(path, message);
  if (document.errors.length > 0) {
    return {
      file,
      problemAt,
      problems: document.errors.map((error) => {
        const { line, col } = lines.linePos(error.pos[0]);
        return { file, line, column: col, message: `YAML: ${error.message.split('\n')[0]}` };
      }),
    };
  }
  const aliases = aliasProblem(document);
  if (aliases) {
    const { line, col } = lines.linePos(aliases.offset);
    return { file, problemAt, problems: [{ file, line, column: col, message: aliases.message }] };
  }
  // aliasProblem has bounded what the aliases expand to, with the place to report.
  const value: unknown = document.toJS({ maxAliasCount: -1 });
  const validate = ruleDocumentSchema();
  if (!validate(value)) {
    return { file, problemAt, problems: schemaProblems(validate.errors ?? [], source) };
  }
  return { file, problemAt, rule: value, problems: checkMeaning(value, source, lists) };
}

/**
 * Parses and checks one rule file's text as `parseRuleText` does, and its CloudTrail triggers
 * against the offline event catalog (read only when a rule has such a trigger to check).
 *
 * @example
 * const loaded = await checkRuleText(await readFile(path, 'utf8'), 'rules/x.yaml');
 * loaded.problems.map(formatProblem); // ['rules/x.yaml:9:14: "DeleteLogGrup" is not an event of …']
 */
export async function checkRuleText(
  text: string,
  file: string,
  lists: NamedLists = new Map(),
): Promise<LoadedRuleFile> {
  const loaded = parseRuleText(text, file, lists);
  if (loaded.rule && checksTriggerEvents(loaded.rule)) {
    const catalog = await eventCatalogFiles.load();
    for (const { path, message } of triggerEventProblems(loaded.rule, catalog))
      loaded.problems.push(loaded.problemAt(path, message));
  }
  return loaded;
}

/** Every `.yaml`/`.yml` file below `dir`, sorted so load order and error order are stable. */
export async function ruleFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** A path as people read it: relative to the working directory when inside it. */
function displayPath(path: string): string {
  const near = relative(process.cwd(), path);
  return near === '' || near.startsWith('..') ? path : near;
}

export interface RuleCheck {
  files: LoadedRuleFile[];
  lists: NamedLists;
  problems: RuleProblem[];
}

/** Reads and checks every rule file of `dir`, duplicate ids included, without throwing. */
export async function checkRuleDirectory(
  dir: string,
  listsFile: string = listsFileFor(dir),
): Promise<RuleCheck> {
  return checkRuleFiles(await ruleFiles(dir), listsFile);
}

/**
 * Reads and checks the rule files at `paths` as one pack (an id twice is a duplicate) with the
 * named lists of `listsFile`, without throwing.
 *
 * @example
 * const check = await checkRuleFiles(['rules/ec2-untagged.yaml'], 'config/lists.yaml');
 */
export async function checkRuleFiles(paths: string[], listsFile: string): Promise<RuleCheck> {
  const { lists, problems: listProblems } = await loadLists(listsFile);
  const files = await Promise.all(
    paths.map(async (path) =>
      checkRuleText(await readFile(path, 'utf8'), displayPath(path), lists),
    ),
  );
  const problems = [...listProblems, ...files.flatMap((file) => file.problems)];
  const seen = new Map<string, string>();
  for (const file of files) {
    if (!file.rule) continue;
    const first = seen.get(file.rule.id);
    if (first)
      problems.push(
        file.problemAt(['id'], `duplicate rule id "${file.rule.id}", first defined in ${first}`),
      );
    else seen.set(file.rule.id, file.file);
  }
  return { files, lists, problems };
}

export { compileRule };

/** Loads the rule pack of `dir` (and its named lists); throws a `RuleLoadError` listing every problem if any. */
export async function loadRules(dir: string, listsFile?: string): Promise<CompiledRule[]> {
  const { files, lists, problems } = await checkRuleDirectory(dir, listsFile);
  if (problems.length > 0) throw new RuleLoadError(problems);
  return files.flatMap((file) => (file.rule ? [compileRule(file.rule, file.file, lists)] : []));
}
