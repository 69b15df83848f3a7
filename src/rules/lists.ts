import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { NamedLists } from './operators.js';
import type { RuleProblem } from './problems.js';
import { aliasProblem } from './yaml-aliases.js';

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
  // The lists' values with aliases resolved (aliasProblem has bounded them), in the order of
  // root.items, which give each list's position.
  const resolved = [
    ...(
      root.toJS(document, { mapAsMap: true, maxAliasCount: -1 }) as Map<unknown, unknown>
    ).values(),
  ];
  const lists = new Map<string, ReadonlySet<string>>();
  const problems: RuleProblem[] = [];
  for (const [index, pair] of root.items.entries()) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    const values = resolved[index];
    if (!Array.isArray(values) || !values.every((value) => typeof value === 'string')) {
      problems.push(
        problem(
          isScalar(pair.key) ? pair.key.range?.[0] : undefined,
          `list "${name}" must be a list of strings`,
        ),
      );
      continue;
    }
    lists.set(name, new Set(values as string[]));
  }
  return { lists, problems };
}
