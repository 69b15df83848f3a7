import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** True when something is at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The project that holds `dir`: the nearest directory from `dir` up with a `package.json`;
 * undefined when none has one.
 *
 * @example
 * await projectRootOf('/home/me/steward/rules/cis'); // '/home/me/steward'
 */
export async function projectRootOf(dir: string): Promise<string | undefined> {
  for (let candidate = dir; dirname(candidate) !== candidate; candidate = dirname(candidate)) {
    if (await exists(join(candidate, 'package.json'))) return candidate;
  }
  return undefined;
}
