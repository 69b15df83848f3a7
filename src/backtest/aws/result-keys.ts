import { createHash, randomBytes } from 'node:crypto';

/**
 * Where a run's results go in the results bucket: `runs/<run id>/`, holding `partials/` (one
 * JSON report per batch), `map/` (the map run's own result files) and the merged
 * `report.json` and `report.html`.
 *
 * @example
 * runPrefix('2026-11-30T22-41-07Z-3f9a1c'); // 'runs/2026-11-30T22-41-07Z-3f9a1c/'
 */
export function runPrefix(runId: string): string {
  return `runs/${runId}/`;
}

/**
 * A new run's id, also its execution's name: its start time (so runs list in order) and a few
 * random hex digits (so two starts in one second differ). Only characters an execution name
 * and an S3 key both take.
 *
 * @example
 * newRunId(new Date('2026-11-30T22:41:07Z')); // '2026-11-30T22-41-07Z-3f9a1c'
 */
export function newRunId(now: Date = new Date()): string {
  const time = now.toISOString().slice(0, 19).replaceAll(':', '-');
  return `${time}Z-${randomBytes(3).toString('hex')}`;
}

/**
 * The key of a batch's partial result: named by a digest of the batch's object keys, so a
 * batch run again (a retry of the map) overwrites its own partial instead of adding a second
 * one that the reducer would count twice. The order the keys came in does not matter.
 *
 * @example
 * partialKey('runs/r1/', ['AWSLogs/…/b.json.gz', 'AWSLogs/…/a.json.gz']); // 'runs/r1/partials/5e1c…json'
 */
export function partialKey(resultsPrefix: string, objectKeys: readonly string[]): string {
  const digest = createHash('sha256');
  for (const key of [...objectKeys].sort()) digest.update(`${key}\n`);
  return `${partialsPrefix(resultsPrefix)}${digest.digest('hex').slice(0, 40)}.json`;
}

/**
 * Where a run's partial results are, for the reducer to list.
 *
 * @example
 * partialsPrefix('runs/r1/'); // 'runs/r1/partials/'
 */
export function partialsPrefix(resultsPrefix: string): string {
  return `${resultsPrefix}partials/`;
}

/**
 * The keys of a run's merged report.
 *
 * @example
 * reportKeys('runs/r1/').html; // 'runs/r1/report.html'
 */
export function reportKeys(resultsPrefix: string): { json: string; html: string } {
  return { json: `${resultsPrefix}report.json`, html: `${resultsPrefix}report.html` };
}
