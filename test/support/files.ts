import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRulePack } from '../../src/rules/pack-build.js';

/** A path inside the repository. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/** A sample event of `events/`, parsed. */
export function sampleEvent(name: string): unknown {
  return JSON.parse(readFileSync(repoPath(`events/${name}`), 'utf8'));
}

/**
 * The rule pack of a rules directory, written to a temp file as `sls package` writes it for the
 * handlers: the path to set as `STEWARD_RULE_PACK`.
 */
export async function rulePackFileOf(rulesDir: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'steward-pack-')), 'rule-pack.json');
  await writeRulePack(rulesDir, file);
  return file;
}
