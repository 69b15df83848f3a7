import { get } from 'node:http';
import { readFile } from 'node:fs/promises';
import { identityPath } from './server-script.js';

/** What a ledger server writes to its endpoint file once it answers. */
export interface ServerEndpoint {
  pid: number;
  port: number;
  startedAt: string;
  /** The LevelDB directory it serves. */
  path: string;
}

function isEndpoint(value: unknown): value is ServerEndpoint {
  const candidate = value as Partial<ServerEndpoint> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    Number.isInteger(candidate.pid) &&
    Number.isInteger(candidate.port) &&
    typeof candidate.startedAt === 'string' &&
    typeof candidate.path === 'string'
  );
}

/**
 * The endpoint file's content, or `undefined` when there is none or it is not one (a server
 * writes it whole, by renaming, so a half-written one is never read).
 *
 * @example
 * const endpoint = await readServerEndpoint('.steward/ledger.server.json');
 */
export async function readServerEndpoint(file: string): Promise<ServerEndpoint | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    return isEndpoint(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True while a process with this id exists (a process of another user counts).
 *
 * @example
 * if (!processAlive(endpoint.pid)) takeOver();
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when the server named by `endpoint` answers on its port as that very process: a port
 * reused by anything else is not it. The process is the one that wrote the endpoint file read
 * from the directory, so its directory needs no comparing (the same directory may be reached
 * by two paths, through a symbolic link).
 *
 * @example
 * if (await serverAnswers(endpoint)) useIt(endpoint);
 */
export function serverAnswers(endpoint: ServerEndpoint, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(
      {
        host: '127.0.0.1',
        port: endpoint.port,
        path: identityPath,
        agent: false,
        timeout: timeoutMs,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('error', () => resolve(false));
        response.on('end', () => {
          try {
            resolve((JSON.parse(body) as { pid?: unknown }).pid === endpoint.pid);
          } catch {
            resolve(false);
          }
        });
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}
