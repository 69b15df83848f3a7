import { readFile } from 'node:fs/promises';
import { isObject } from '../json/fields.js';
import { compileRule } from './compile.js';
import type { NamedLists } from './lists.js';
import type { CompiledRule, RuleDocument } from './rule.js';
import { UnknownScopeListError } from './scope.js';

export const rulePackFormat = 'steward-rule-pack/1';

/**
 * Where the rule pack goes, relative to the project (and so to the function package's root):
 * `sls package` and `steward pack` write it there, and the handlers read it from there.
 */
export const defaultRulePackFile = 'dist/rule-pack.json';

/**
 * The rule pack as a function package carries it: every rule file of `rules/` already parsed
 * and checked (by `sls package` or `steward pack`), as JSON, with the named lists. Reading it
 * needs no YAML parser and no schema validator, so the handlers' bundles and cold starts stay
 * small.
 */
export interface RulePack {
  format: typeof rulePackFormat;
  /** Each rule document with the file it came from, for messages. */
  rules: { file: string; document: RuleDocument }[];
  lists: Record<string, string[]>;
}

/** A rule pack file that is missing, or that no `steward pack` of this version wrote. */
export class RulePackError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`rule pack ${file}: ${reason}`);
    this.name = 'RulePackError';
  }
}

/**
 * The rules of a pack, compiled. The pack was checked when it was written; this checks only
 * that it is one (format, shapes), so a stale or foreign file fails with a clear error.
 */
export function compileRulePack(value: unknown, file: string): CompiledRule[] {
  if (!isObject(value) || value.format !== rulePackFormat)
    throw new RulePackError(file, `not a ${rulePackFormat} file; rebuild it with steward pack`);
  const { rules, lists } = value;
  if (!Array.isArray(rules)) throw new RulePackError(file, '"rules" must be a list');
  if (!isObject(lists) || !Object.values(lists).every((list) => Array.isArray(list)))
    throw new RulePackError(file, '"lists" must map names to lists');
  const named: NamedLists = new Map(
    Object.entries(lists as Record<string, unknown[]>).map(([name, items]) => [
      name,
      new Set(items.map(String)),
    ]),
  );
  return rules.map((entry: unknown, index) => {
    if (
      !isObject(entry) ||
      typeof entry.file !== 'string' ||
      !isObject(entry.document) ||
      typeof entry.document.id !== 'string'
    )
      throw new RulePackError(file, `rules[${index}] is not a rule of a pack`);
    try {
      return compileRule(entry.document as unknown as RuleDocument, entry.file, named);
    } catch (error) {
      if (error instanceof UnknownScopeListError) throw new RulePackError(file, error.message);
      throw error;
    }
  });
}

/** Reads and compiles the rule pack file. */
export async function readRulePack(file: string): Promise<CompiledRule[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'not found; `sls package` writes it into the function package, `steward pack` anywhere'
        : error instanceof Error
          ? error.message
          : String(error);
    throw new RulePackError(file, reason);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RulePackError(file, `invalid JSON: ${(error as Error).message}`);
  }
  return compileRulePack(value, file);
}
