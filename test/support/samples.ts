import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { repoPath } from './files.js';

/** A sample of `events/` and the function `sls invoke local` runs it with. */
export interface InvocationSample {
  /** Relative to `events/`: `ec2-running.json`, `cloudtrail/iam-create-user.json`. */
  file: string;
  function: string;
}

/**
 * Files of `events/` that are no Lambda payload: fact sidecars, and a sweep's events (made by
 * steward's own describe calls, read only from files).
 */
function isPayload(file: string): boolean {
  return file.endsWith('.json') && !file.endsWith('.facts.json') && !file.endsWith('.sweep.json');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => relative(dir, join(dir, entry)).split('\\').join('/'))
    .sort();
}

/**
 * Every Lambda payload of `events/` (the `.json` files; a `.json.gz` is a log file as S3
 * holds it) with its function, by the longest prefix of `events/functions.yaml` its name
 * starts with. Throws naming a sample no prefix covers.
 *
 * @example
 * for (const sample of invocationSamples()) console.log(sample.function, sample.file);
 */
export function invocationSamples(eventsDir: string = repoPath('events')): InvocationSample[] {
  const prefixes = Object.entries(
    parse(readFileSync(join(eventsDir, 'functions.yaml'), 'utf8')) as Record<string, string>,
  ).sort(([a], [b]) => b.length - a.length);
  return filesUnder(eventsDir)
    .filter(isPayload)
    .map((file) => {
      const match = prefixes.find(([prefix]) => file.startsWith(prefix));
      if (!match) throw new Error(`events/${file}: no prefix of events/functions.yaml names it`);
      return { file, function: match[1] };
    });
}

// `npx tsx test/support/samples.ts` prints "function file" lines for .ci/run's invoke loop.
if (process.argv[1] === fileURLToPath(import.meta.url))
  for (const sample of invocationSamples()) console.log(`${sample.function} events/${sample.file}`);
