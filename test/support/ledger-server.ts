import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ledgerFiles } from '../../src/ledger/embedded/ledger-files.js';
import { processAlive, readServerEndpoint } from '../../src/ledger/embedded/server-endpoint.js';

/**
 * Polls until `done()` holds, at most `boundMs`: an outcome that comes by itself (a server
 * exiting when idle) is awaited without asserting how long it takes.
 */
export async function eventually(done: () => Promise<boolean>, boundMs = 20_000): Promise<boolean> {
  const until = Date.now() + boundMs;
  while (Date.now() < until) {
    if (await done()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return done();
}

/** True once no ledger server serves `dataDir`: its endpoint file is gone and so is its process. */
export async function serverGone(dataDir: string, pid: number): Promise<boolean> {
  return (
    (await readServerEndpoint(ledgerFiles(dataDir).endpoint)) === undefined && !processAlive(pid)
  );
}

/** Every file of a directory tree with its content, to assert that nothing changed. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory())
      for (const [inner, content] of Object.entries(await snapshotTree(path)))
        files[`${name}/${inner}`] = content;
    else files[name] = (await readFile(path)).toString('base64');
  }
  return files;
}
