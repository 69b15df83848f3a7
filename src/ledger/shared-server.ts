import { mkdir } from 'node:fs/promises';
import { EmbeddedLedgerError } from './embedded-errors.js';
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
    const files = ledgerFiles(dataDir);
    const endpoint = await readServerEndpoint(files.endpoint);
    if (endpoint === undefined || !processAlive(endpoint.pid)) return undefined;
    return endpoint;
  }

  private async locate(): Promise<ServerEndpoint> {
    const deadline = Date.now() + this.waitMs;
    await mkdir(this.files.dataDir, { recursive: true });
    for (;;) {
      const found = await this.answering();
      if (found !== 'none') {
        if (found !== 'busy') return found;
      } else {
        const lock = await StartLock.acquire(this.files.lock);
        if (lock !== undefined) {
          try {
            const again = await this.answering();
            if (again !== 'none' && again !== 'busy') return again;
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
   * The server the endpoint file names if it answers; `busy` when its process lives but does
   * not answer (starting, stopping, or busy), so its database may be open; `none` when there is
   * no file or its process is gone.
   */
  private async answering(): Promise<ServerEndpoint | 'busy' | 'none'> {
    const endpoint = await readServerEndpoint(this.files.endpoint);
    if (endpoint === undefined || !processAlive(endpoint.pid)) return 'none';
    return (await serverAnswers(endpoint)) ? endpoint : 'busy';
  }
}
