import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `version` of a package.json's text, or undefined when it names none. */
function versionOf(text: string): string | undefined {
  const manifest: unknown = JSON.parse(text);
  const value =
    typeof manifest === 'object' && manifest !== null && 'version' in manifest
      ? manifest.version
      : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The version of the installed package: the nearest package.json above this module, which is
 * the project's whether the module runs from `src/cli/` or bundled into `dist/`.
 *
 * @example
 * output.out(`steward ${packageVersion()}`); // steward 0.1.0
 */
export function packageVersion(moduleUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    try {
      return versionOf(readFileSync(join(dir, 'package.json'), 'utf8')) ?? 'unknown';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return 'unknown';
    }
    if (dirname(dir) === dir) return 'unknown';
    dir = dirname(dir);
  }
}
