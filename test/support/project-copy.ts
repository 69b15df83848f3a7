import { cp, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from './files.js';

/** What `sls` needs of the repository to package, deploy and invoke: the rest (tests, docs) stays out. */
export const projectEntries = [
  'serverless.yml',
  'package.json',
  'tsconfig.json',
  'deploy',
  'src',
  'handlers',
  'rules',
  'config',
  'schema',
] as const;

/**
 * A scratch copy of the project (its `sls` entries, plus `extra`), with the repository's
 * `node_modules` linked in, so that its bundles, ledger and rule changes are its own.
 *
 * @example
 * const project = await copyProject('steward-invoke-local-', ['events']);
 */
export async function copyProject(prefix: string, extra: readonly string[] = []): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), prefix)), 'steward');
  for (const entry of [...projectEntries, ...extra])
    await cp(repoPath(entry), join(dir, entry), { recursive: true });
  await symlink(repoPath('node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}
