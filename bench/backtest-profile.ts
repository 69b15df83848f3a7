/**
 * The backtest's evaluation on one thread over a generated corpus, alone in its process, with
 * a CPU profile of the evaluation alone (not the corpus's generation):
 * `npx tsx bench/backtest-profile.ts [--quick] [--profile FILE.cpuprofile]` (Chrome DevTools or
 * any `.cpuprofile` viewer opens it). Prints records/s of the evaluator and of the
 * single-threaded floor on the same files.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadRules } from '../src/rules/load.js';
import { fullCorpus, quickCorpus, writeBacktestCorpus } from './backtest-corpus.js';
import { floorOnThisThread } from './backtest-floor.js';
import { evaluateOnThisThread, matchesOf } from './backtest-single.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, profile: { type: 'string' } },
});
const root = fileURLToPath(new URL('..', import.meta.url));
const corpus = await writeBacktestCorpus(values.quick === true ? quickCorpus : fullCorpus);
try {
  const rules = await loadRules(join(root, 'rules'));
  const floor = floorOnThisThread(corpus.files.map((file) => file.path));
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const pass = await evaluateOnThisThread(corpus.files, rules, { sources: [corpus.root] });
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  if (values.profile !== undefined) await writeFile(values.profile, JSON.stringify(profile));
  process.stdout.write(
    `${corpus.files.length} files, ${pass.report.totals.records} records, ${matchesOf(pass.report)} matches: evaluator ${pass.recordsPerSecond.toFixed(0)} records/s, floor ${floor.recordsPerSecond.toFixed(0)} records/s (${((pass.recordsPerSecond / floor.recordsPerSecond) * 100).toFixed(0)} %)\n`,
  );
} finally {
  await corpus.remove();
}
