import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoPath } from './files.js';

const run = promisify(execFile);

/** How long one caller waits for another one's install before giving up. */
const lockWaitMs = 10 * 60_000;
/** pip can take a minute or two for a package with many dependencies (moto[server]). */
const installTimeoutMs = 10 * 60_000;

const isWindows = process.platform === 'win32';

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, isWindows ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Holds `lockFile` (created exclusively, holding our pid) while `work` runs. A lock whose holder
 * died is taken over; one held longer than `lockWaitMs` is an error.
 */
async function withLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && !processAlive(holder)) {
        await rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() - started > lockWaitMs) {
        throw new Error(
          `waited ${lockWaitMs / 1000} s for ${lockFile} (held by pid ${holder}); remove it if no install is running`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}

function outputOf(error: unknown): string {
  const { stderr, stdout, message } = error as {
    stderr?: string;
    stdout?: string;
    message?: string;
  };
  const text = (stderr || stdout || message || String(error)).trim();
  const lines = text.split('\n');
  return lines.slice(-15).join('\n');
}

/**
 * The absolute path of `command` from the project's virtualenv (`<repo>/.venv`, git-ignored),
 * installing `packages` there first when the command is missing: `python3 -m venv .venv`, then
 * `pip install --quiet`. Idempotent, and safe when several test processes call it at once: the
 * install runs under a lock file in the virtualenv, and whoever waited finds the command. `say`
 * gets one line before an install and one after it, with its time (nothing when installed).
 *
 * @example
 * const motoServer = await ensurePythonTool(['moto[server]'], 'moto_server');
 */
export async function ensurePythonTool(
  packages: readonly string[],
  command: string,
  venv: string = repoPath('.venv'),
  say: (line: string) => void = () => undefined,
): Promise<string> {
  const bin = join(venv, isWindows ? 'Scripts' : 'bin');
  const target = join(bin, isWindows ? `${command}.exe` : command);
  if (await isExecutable(target)) return target;

  const byHand =
    `install it by hand: python3 -m venv ${venv} && ` +
    `${join(bin, 'pip')} install ${packages.map((name) => `'${name}'`).join(' ')}`;
  await mkdir(venv, { recursive: true });
  return withLock(join(venv, '.steward-install.lock'), async () => {
    if (await isExecutable(target)) return target;
    const python = join(bin, isWindows ? 'python.exe' : 'python');
    if (!(await isExecutable(python))) {
      try {
        await run('python3', ['-m', 'venv', venv], { timeout: installTimeoutMs });
      } catch (error) {
        throw new Error(
          `cannot create the virtualenv ${venv} with "python3 -m venv" (Python 3 with the venv module is needed): ${outputOf(error)}`,
          { cause: error },
        );
      }
    }
    const started = Date.now();
    say(`installing ${packages.join(' ')} into ${venv} with pip (first run only, about a minute)`);
    try {
      await run(
        python,
        ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...packages],
        { timeout: installTimeoutMs, maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (error) {
      throw new Error(
        `pip could not install ${packages.join(' ')} into ${venv} (no network?): ${outputOf(error)}\n` +
          `To ${byHand}`,
        { cause: error },
      );
    }
    say(
      `installed ${packages.join(' ')} into ${venv} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    if (!(await isExecutable(target))) {
      throw new Error(
        `${packages.join(' ')} installed into ${venv}, but it has no ${command} command; ${byHand}`,
      );
    }
    return target;
  });
}
