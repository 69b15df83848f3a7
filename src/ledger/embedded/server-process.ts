import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { dynalitePath } from './dynalite-module.js';
import { EmbeddedLedgerError } from './errors.js';
import type { LedgerFiles } from './ledger-files.js';
import type { ServerEndpoint } from './server-endpoint.js';
import { ledgerServerScript } from './server-script.js';

/** What the server process tells the steward process that spawned it. */
type ServerMessage = { ready: ServerEndpoint } | { error: string };

/**
 * Spawns the ledger server process for `files` (the caller holds the start lock and has checked
 * the directory) and waits until it answers. The process is detached, in its own process group,
 * with its stderr in the server log: it outlives this process, no terminal's Ctrl-C reaches it,
 * and nothing it prints reaches the user as a stack trace. `node -e` runs it, so it needs no
 * file beside a bundle, and with no `NODE_OPTIONS` so no loader of ours slows its start.
 *
 * @example
 * const endpoint = await spawnLedgerServer(ledgerFiles('.steward'), { idleMs: 5_000, timeoutMs: 20_000 });
 */
export async function spawnLedgerServer(
  files: LedgerFiles,
  options: { idleMs: number; timeoutMs: number },
): Promise<ServerEndpoint> {
  const log = await open(files.serverLog, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STEWARD_LEDGER_SERVER: JSON.stringify({
      dynalite: dynalitePath(),
      path: files.ledger,
      endpointFile: files.endpoint,
      idleMs: options.idleMs,
    }),
  };
  delete env.NODE_OPTIONS;
  const failed = (problem: string, cause?: unknown) =>
    new EmbeddedLedgerError(files.ledger, `${problem} (its log: ${files.serverLog})`, { cause });
  try {
    const child = spawn(process.execPath, ['-e', ledgerServerScript], {
      cwd: files.dataDir,
      detached: true,
      env,
      stdio: ['ignore', 'ignore', log.fd, 'ipc'],
    });
    try {
      return await new Promise<ServerEndpoint>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(
            failed(
              `has no server: the one started did not answer within ${options.timeoutMs / 1000} s`,
            ),
          );
        }, options.timeoutMs);
        child.once('error', (error) => {
          clearTimeout(timer);
          reject(failed(`has no server: it could not be started (${error.message})`, error));
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(
            failed(
              `has no server: the one started exited (${signal ?? `code ${code}`}) before answering`,
            ),
          );
        });
        child.once('message', (message: ServerMessage) => {
          clearTimeout(timer);
          if ('ready' in message) resolve(message.ready);
          else reject(failed(`has no server: it failed to start (${message.error})`));
        });
      });
    } finally {
      child.removeAllListeners();
      child.on('error', () => undefined);
      if (child.connected) child.disconnect();
      child.unref();
    }
  } finally {
    await log.close();
  }
}
