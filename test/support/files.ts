import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A path inside the repository. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/** A sample event of `events/`, parsed. */
export function sampleEvent(name: string): unknown {
  return JSON.parse(readFileSync(repoPath(`events/${name}`), 'utf8'));
}
