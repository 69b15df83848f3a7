import { mkdir } from 'node:fs/promises';
import { EmbeddedLedgerError } from './errors.js';
import { inspectLedgerDirectory } from './ledger-directory.js';
import { ledgerFiles, type LedgerFiles } from './ledger-files.js';
import {
  processAlive,
  readServerEndpoint,
  serverAnswers,
  type ServerEndpoint,
} from './server-endpoint.js';
import { spawnLedgerServer } from './server-process.js';
import { StartLock } from './start-lock.js';

export interface SharedLedgerServerOptions {
  /** How long a server with no connection and no request waits before it exits (default 5 s). */
  idleMs?: number;
  /** How long finding or starting a server may take before it is an error (default 30 s). */
  waitMs?: number;
}

const pollMs = 40;

/**
 * The one ledger server of a data directory, shared by every steward process using it (the
 * CLI, `sls invoke local`, tests, in any number at once).
 *
 * The server is a small detached Node process running dynalite on the LevelDB directory
 * (`ledger/`), listening on a free port of 127.0.0.1. Once it answers it writes
 * `{pid, port, startedAt, path}` to `ledger.server.json`; a steward process reads that file
 * and uses the server if it answers as that process. When there is no
 * file, or its process is gone, the steward process takes `ledger.lock` (created exclusively,
 * holding its pid; taken over when its holder died), checks the directory
 * (`inspectLedgerDirectory`: a missing or damaged ledger is an error, never an empty ledger)
 * and spawns a server. Processes that find the lock held wait and read the file again.
 *
 * No process's lifetime can break another's requests: the server is no steward process, and it
 * exits only when it has had no connection and no request for `idleMs`, which a client's
 * pooled connection prevents. A request refused because the server had just exited
 * (`ECONNREFUSED`: it never reached a server) is sent again after `recover()` found or started
 * the next server; no other failure is retried here, since its request may have been applied.
 *
 * @example
 * const server = new SharedLedgerServer('.steward');
 * const endpoint = await server.connect();
 * const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${endpoint.port}` });
 */
export class SharedLedgerServer {
  readonly files: LedgerFiles;
  private readonly idleMs: number;
  private readonly waitMs: number;
  private current: ServerEndpoint | undefined;
  private recovering: Promise<ServerEndpoint> | undefined;

  constructor(dataDir: string, options: SharedLedgerServerOptions = {}) {
    this.files = ledgerFiles(dataDir);
    this.idleMs = options.idleMs ?? 5_000;
    this.waitMs = options.waitMs ?? 30_000;
  }

  /** The server in use; `connect()` first. */
  get endpoint(): ServerEndpoint {
    if (this.current === undefined)
      throw new EmbeddedLedgerError(this.files.ledger, 'is not connected yet');
    return this.current;
  }

  /** Finds the directory's server, or starts one, and uses it from now on. */
  async connect(): Promise<ServerEndpoint> {
    this.current = await this.locate();
    return this.current;
  }

  /**
   * The next server after `failed` was refused: one search however many requests were
   * refused at once, and none when another request already moved on to a newer server.
   */
  recover(failed: ServerEndpoint): Promise<ServerEndpoint> {
    if (this.current !== undefined && this.current !== failed) return Promise.resolve(this.current);
    this.recovering ??= this.connect().finally(() => (this.recovering = undefined));
    return this.recovering;
  }

  /**
   * The server serving `dataDir` now, if one answers: what a repair must wait for.
   *
   * @example
   * const serving = await SharedLedgerServer.serving('.steward');
   */
  static async serving(dataDir: string): Promise<ServerEndpoint | undefined> {
    const endpoint = await readServerEndpoint(ledgerFiles(dataDir).endpoint);
    if (endpoint === undefined || !processAlive(endpoint.pid)) return undefined;
    return (await serverAnswers(endpoint)) ? endpoint : undefined;
  }

  private async locate(): Promise<ServerEndpoint> {
    const deadline = Date.now() + this.waitMs;
    const silence = new SilentServers();
    await mkdir(this.files.dataDir, { recursive: true });
    for (;;) {
      const found = await this.answering(silence);
      if (typeof found === 'object') return found;
      if (found === 'none') {
        const lock = await StartLock.acquire(this.files.lock);
        if (lock !== undefined) {
          try {
            const again = await this.answering(silence);
            if (typeof again === 'object') return again;
            if (
              again === 'none' &&
              (await inspectLedgerDirectory(this.files.ledger)) !== 'locked'
            ) {
              await mkdir(this.files.ledger, { recursive: true });
              return await spawnLedgerServer(this.files, {
                idleMs: this.idleMs,
                timeoutMs: Math.max(deadline - Date.now(), 1_000),
              });
            }
          } finally {
            await lock.release();
          }
        }
      }
      if (Date.now() > deadline) {
        const holder = await StartLock.holder(this.files.lock);
        const endpoint = await readServerEndpoint(this.files.endpoint);
        throw new EmbeddedLedgerError(
          this.files.ledger,
          `has no server answering after ${this.waitMs / 1000} s` +
            (endpoint ? `: process ${endpoint.pid} (${this.files.endpoint}) does not answer` : '') +
            (holder ? `; process ${holder} holds ${this.files.lock}` : ''),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs + Math.random() * pollMs));
    }
  }

  /**
   * The server the endpoint file names if it answers; `busy` when its process lives but has not
   * answered for less than `silentMs` (starting, stopping, or busy), so its database may be
   * open; `none` when there is no file, its process is gone, or that process has been silent
   * longer (a stuck server, or its pid reused by another program): whether the database is
   * still open is then for LevelDB's own lock to say, when the directory is checked.
   */
  private async answering(silence: SilentServers): Promise<ServerEndpoint | 'busy' | 'none'> {
    const endpoint = await readServerEndpoint(this.files.endpoint);
    if (endpoint === undefined || !processAlive(endpoint.pid)) return 'none';
    if (await serverAnswers(endpoint)) return endpoint;
    return silence.silentFor(endpoint) < silentMs ? 'busy' : 'none';
  }
}

/** How long a live server may not answer before it no longer counts as serving. */
const silentMs = 3_000;

/** Since when each server seen during one search has not answered. */
class SilentServers {
  private readonly since = new Map<string, number>();

  /** How long the server of `endpoint` has been silent, counting this time. */
  silentFor(endpoint: ServerEndpoint): number {
    const key = `${endpoint.pid}:${endpoint.port}:${endpoint.startedAt}`;
    const since = this.since.get(key) ?? Date.now();
    this.since.set(key, since);
    return Date.now() - since;
  }
}
