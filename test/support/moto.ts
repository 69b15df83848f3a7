import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { ensurePythonTool } from './python-tools.js';

/** The moto release line the e2e tests were written against; pip takes the newest 5.x. */
export const motoPackages = ['moto[server]>=5.1,<6'];

const startTimeoutMs = 30_000;

export interface MotoServer {
  /** `http://127.0.0.1:PORT`: what `AWS_ENDPOINT_URL` is set to. */
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

/** A port nobody listens on right now: a throwaway server's, closed again. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port from the throwaway server')),
      );
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // The server runs in its own process group (detached): end it and anything it started.
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `moto_server exited (${child.exitCode ?? child.signalCode}) before answering on ${endpoint}: ${output()}`,
      );
    }
    try {
      // moto's own API answers any GET once the server is up.
      const response = await fetch(`${endpoint}/moto-api/data.json`, {
        signal: AbortSignal.timeout(1_000),
      });
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(
    `moto_server did not answer on ${endpoint} within ${startTimeoutMs / 1000} s: ${output()}`,
  );
}

/**
 * Starts the AWS API emulator moto (`moto_server`, installed into `<repo>/.venv` when missing)
 * on 127.0.0.1 on a free port and waits until it answers HTTP. One server emulates every
 * service: EC2, S3, CloudTrail, CloudWatch Logs, DynamoDB. `say` gets a line before and after
 * an install (see `ensurePythonTool`).
 *
 * @example
 * const moto = await startMoto((line) => console.log(line));
 * process.env.AWS_ENDPOINT_URL = moto.endpoint;
 * await moto.stop();
 */
export async function startMoto(
  say: (line: string) => void = () => undefined,
): Promise<MotoServer> {
  const command = await ensurePythonTool(motoPackages, 'moto_server', undefined, say);
  const host = '127.0.0.1';
  const port = await freePort(host);
  const endpoint = `http://${host}:${port}`;
  const child = spawn(command, ['-H', host, '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    // Only the tail matters, for an error message.
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  spawnError.catch(() => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never leave a server behind, even when the test run itself ends abruptly.
  const onExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', onExit);

  const stop = async () => {
    process.off('exit', onExit);
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await Promise.race([waitUntilAnswering(endpoint, child, () => output.trim()), spawnError]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, pid: child.pid ?? -1, stop };
}
