import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every scratch directory a test makes (`mkdtemp(join(tmpdir(), …))`: rule folders, packs,
 * ledgers, packaged handlers) goes under one directory of this run, removed when the run ends,
 * so running the tests leaves nothing in the system's temporary directory. Test workers and the
 * servers they start inherit `TMPDIR`, which `os.tmpdir()` reads on every call.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'steward-test-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return async () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    await rm(root, { recursive: true, force: true });
  };
}
