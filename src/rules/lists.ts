import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, YAMLSeq } from 'yaml';
import type { RuleProblem } from './problems.js';
import { aliasProblem } from './yaml-aliases.js';

/** Named lists from the lists file: list name → members. */
export type NamedLists = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Where the named lists live: `STEWARD_LISTS_FILE`, else `config/lists.yaml` beside the rules
 * directory. The `inList`/`notInList` operators name them.
 *
 * ```yaml
 * lists:
 *   quarantined-instances: [i-0123456789abcdef0]
 *   break-glass-roles: [arn:aws:iam::123456789012:role/BreakGlass]
 * ```
 */
export function listsFileFor(rulesDir: string, env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.STEWARD_LISTS_FILE ?? join(dirname(rulesDir.replace(/\/+$/, '')), 'config', 'lists.yaml')
  );
}

/** Reads the lists file; a missing file is no lists, a malformed one a problem with its position. */
export async function loadLists(
  file: string,
): Promise<{ lists: NamedLists; problems: RuleProblem[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { lists: new Map(), problems: [] };
    throw error;
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true });
  const problem = (offset: number | undefined, message: string): RuleProblem => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { file, line, column: col, message };
  };
  if (document.errors.length > 0) {
    return {
      lists: new Map(),
      problems: document.errors.map((error) =>
        problem(error.pos[0], `YAML: ${error.message.split('\n')[0]}`),
      ),
    };
  }
  const aliases = aliasProblem(document);
  if (aliases) return { lists: new Map(), problems: [problem(aliases.offset, aliases.message)] };
  const root = document.get('lists', true);
  if (!isMap(root))
    return {
      lists: new Map(),
      problems: [
        problem(
          document.contents?.range?.[0],
          'expected a top-level "lists:" map of list name to values',
        ),
      ],
    };
  // Each list's value with its aliases resolved (aliasProblem has bounded them), by the index
  // of its pair in root.items, which gives the list's name and position.
  const values = new YAMLSeq();
  values.items = root.items.map((pair) => pair.value);
  const resolved = values.toJS(document, { maxAliasCount: -1 }) as unknown[];
  const lists = new Map<string, ReadonlySet<string>>();
  const problems: RuleProblem[] = [];
  for (const [index, pair] of root.items.entries()) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    const members = resolved[index];
    if (!Array.isArray(members) || !members.every((member) => typeof member === 'string')) {
      problems.push(
        problem(
          isScalar(pair.key) ? pair.key.range?.[0] : undefined,
          `list "${name}" must be a list of strings`,
        ),
      );
      continue;
    }
    lists.set(name, new Set(members as string[]));
  }
  return { lists, problems };
}
