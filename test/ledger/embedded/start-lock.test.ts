import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StartLock } from '../../../src/ledger/embedded/start-lock.js';

async function lockFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'steward-lock-')), 'ledger.lock');
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('StartLock', () => {
  it('is held by one taker at a time, with its pid, until released', async () => {
    const file = await lockFile();
    const lock = await StartLock.acquire(file);
    expect(lock).toBeDefined();
    expect(await readFile(file, 'utf8')).toBe(`${process.pid}\n`);
    expect(await StartLock.acquire(file)).toBeUndefined();
    await lock?.release();
    const again = await StartLock.acquire(file);
    expect(again).toBeDefined();
    await again?.release();
  });

  it('is taken over from a holder that died', async () => {
    const file = await lockFile();
    await writeFile(file, `${deadPid()}\n`);
    const lock = await StartLock.acquire(file);
    expect(lock).toBeDefined();
    expect(await readFile(file, 'utf8')).toBe(`${process.pid}\n`);
    await lock?.release();
  });

  it('waits for a lock still being written, and takes over one left empty for long', async () => {
    const file = await lockFile();
    await writeFile(file, '');
    expect(await StartLock.acquire(file)).toBeUndefined();
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(file, longAgo, longAgo);
    const lock = await StartLock.acquire(file);
    expect(lock).toBeDefined();
    await lock?.release();
  });

  it('is not released by a process that does not hold it', async () => {
    const file = await lockFile();
    const lock = await StartLock.acquire(file);
    await writeFile(file, '1\n');
    await lock?.release();
    expect(await readFile(file, 'utf8')).toBe('1\n');
  });
});
