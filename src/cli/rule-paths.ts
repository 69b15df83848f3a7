import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { listsFileFor } from '../rules/lists.js';
import { checkRuleFiles, ruleFiles, type RuleCheck } from '../rules/load.js';
import { exists, projectRootOf } from '../rules/project.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { UsageError } from './output.js';

/**
 * The lists file for rules named by `path`. A directory is a rules directory (`listsFileFor`);
 * a single file may sit deep in one (`rules/cis/cis-aws-4-1.yaml`), so the nearest directory
 * above it with a `config/lists.yaml` beside it is taken, up to the project (the nearest
 * directory with a `package.json`), else the file's own directory.
 */
async function listsFileOf(
  path: string,
  isDirectory: boolean,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (isDirectory || env.STEWARD_LISTS_FILE !== undefined) return listsFileFor(path, env);
  const start = dirname(resolve(path));
  const project = await projectRootOf(start);
  for (let dir = start; dir !== project && dirname(dir) !== dir; dir = dirname(dir)) {
    const candidate = listsFileFor(dir, env);
    if (await exists(candidate)) return candidate;
  }
  return listsFileFor(dirname(path), env);
}

/** The rule files of one argument: itself if a file, its `.yaml`/`.yml` files if a directory. */
async function filesOf(path: string): Promise<{ files: string[]; isDirectory: boolean }> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new UsageError(
      `${path}: ${code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${code}`}`,
      { cause },
    );
  }
  if (!isDirectory) return { files: [path], isDirectory };
  try {
    return { files: await ruleFiles(path), isDirectory };
  } catch (cause) {
    throw new UsageError(
      `${path}: cannot read: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
      { cause },
    );
  }
}

/**
 * Reads and checks the rules that `validate` and `test` are given: files and directories, any
 * number (`rules/` by default, or `STEWARD_RULES_DIR`), checked as one pack so that an id
 * given twice is a duplicate, with the named lists of the first path's project. A file named
 * twice (`rules rules/x.yaml`) is read once. A path that does not exist is a `UsageError`
 * naming it.
 *
 * @example
 * const check = await checkRulePaths(['rules/ec2-untagged.yaml', 'rules/cis']);
 */
export async function checkRulePaths(
  paths: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RuleCheck> {
  const given = paths.length > 0 ? paths : [defaultRulesDir(env)];
  const found = await Promise.all(given.map(filesOf));
  const byAbsolutePath = new Map<string, string>();
  for (const path of found.flatMap((each) => each.files)) {
    if (!byAbsolutePath.has(resolve(path))) byAbsolutePath.set(resolve(path), path);
  }
  const [first] = given as [string];
  const listsFile = await listsFileOf(first, found[0]?.isDirectory ?? true, env);
  return checkRuleFiles([...byAbsolutePath.values()], listsFile);
}
