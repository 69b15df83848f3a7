import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectLedger, type LedgerConnection } from '../../../src/ledger/connect.js';
import { EmbeddedLedgerError, LedgerUnreadableError } from '../../../src/ledger/embedded/errors.js';
import { ledgerFiles } from '../../../src/ledger/embedded/ledger-files.js';
import { processAlive, readServerEndpoint } from '../../../src/ledger/embedded/server-endpoint.js';
import { SharedLedgerServer } from '../../../src/ledger/embedded/shared-server.js';
import { eventually, serverGone, snapshotTree } from '../../support/ledger-server.js';
import { freePort } from '../../support/moto.js';

const details = (eventId: string) => ({
  mode: 'enforce' as const,
  eventId,
  ruleId: 'rule-a',
  action: 'ec2.stop-instances',
  resource: 'i-0123456789abcdef0',
  source: 'ec2-state',
  eventName: 'running',
  eventTime: '2026-11-20T10:00:00Z',
  severity: 'high',
});

async function scratchDataDir(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'steward-shared-')), 'data');
}

/** The embedded ledger of `dataDir`, as the CLI connects to it, with a short idle time. */
function connect(dataDir: string): Promise<LedgerConnection> {
  return connectLedger({
    STEWARD_DATA_DIR: dataDir,
    STEWARD_LEDGER_TABLE: 'steward-test',
    STEWARD_LEDGER_IDLE_SECONDS: '1',
  });
}

async function serverPid(dataDir: string): Promise<number> {
  const endpoint = await readServerEndpoint(ledgerFiles(dataDir).endpoint);
  if (endpoint === undefined) throw new Error(`no ledger server serves ${dataDir}`);
  return endpoint.pid;
}

/** A ledger with one completed entry, written and then left by its server (idle, exited). */
async function writtenLedger(): Promise<string> {
  const dataDir = await scratchDataDir();
  const connection = await connect(dataDir);
  const pid = await serverPid(dataDir);
  const claim = await connection.ledger.claim(details('event-1'));
  if (claim.kind === 'claimed')
    await connection.ledger.complete(claim, { status: 'succeeded', detail: 'stopped' });
  await connection.close();
  expect(await eventually(() => serverGone(dataDir, pid))).toBe(true);
  return dataDir;
}

describe('the shared ledger server of a data directory', () => {
  it('serves every connection of the directory from one process, which is not this one', async () => {
    const dataDir = await scratchDataDir();
    const [a, b] = await Promise.all([connect(dataDir), connect(dataDir)]);
    try {
      const endpoint = await readServerEndpoint(ledgerFiles(dataDir).endpoint);
      expect(endpoint).toMatchObject({ path: ledgerFiles(dataDir).ledger });
      expect(endpoint?.pid).not.toBe(process.pid);
      const claim = await a.ledger.claim(details('event-shared'));
      expect(claim.kind).toBe('claimed');
      expect((await b.ledger.claim(details('event-shared'))).kind).toBe('in-progress');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('exits by itself when idle, removing its endpoint file; the next connection starts a server on the kept data', async () => {
    const dataDir = await writtenLedger();
    expect(await readdir(dataDir)).not.toContain('ledger.server.json');
    const again = await connect(dataDir);
    try {
      expect(await again.ledger.claim(details('event-1'))).toMatchObject({
        kind: 'duplicate',
        entry: { status: 'succeeded', detail: 'stopped' },
      });
    } finally {
      await again.close();
    }
  });

  it('is taken over when its process is killed: the same client goes on with the next server', async () => {
    const dataDir = await scratchDataDir();
    const connection = await connect(dataDir);
    try {
      const first = await connection.ledger.claim(details('event-before'));
      expect(first.kind).toBe('claimed');
      const killed = await serverPid(dataDir);
      process.kill(killed, 'SIGKILL');
      expect(await eventually(async () => !processAlive(killed))).toBe(true);
      // The endpoint file still names the dead process: the next request finds it stale.
      expect(await serverPid(dataDir)).toBe(killed);
      const after = await connection.ledger.claim(details('event-after'));
      expect(after.kind).toBe('claimed');
      expect((await connection.ledger.claim(details('event-before'))).kind).toBe('in-progress');
      const next = await serverPid(dataDir);
      expect(next).not.toBe(killed);
      expect(processAlive(next)).toBe(true);
    } finally {
      await connection.close();
    }
  });

  it('is replaced when it stops between two requests: the refused request goes to the next server', async () => {
    const dataDir = await scratchDataDir();
    const connection = await connect(dataDir);
    try {
      expect((await connection.ledger.claim(details('event-1'))).kind).toBe('claimed');
      const stopped = await serverPid(dataDir);
      // SIGTERM stops it as going idle does: it stops listening, closes the database, and
      // removes its endpoint file, closing this client's pooled connection on the way.
      process.kill(stopped, 'SIGTERM');
      expect(await eventually(() => serverGone(dataDir, stopped))).toBe(true);
      expect((await connection.ledger.claim(details('event-1'))).kind).toBe('in-progress');
      expect(await serverPid(dataDir)).not.toBe(stopped);
    } finally {
      await connection.close();
    }
  });

  it('replaces an endpoint file whose live process is no ledger server (its pid reused)', async () => {
    const dataDir = await scratchDataDir();
    const files = ledgerFiles(dataDir);
    await mkdir(dataDir, { recursive: true });
    // This test's own process, which answers on no port: what a reused pid looks like.
    const nobody = await freePort();
    await writeFile(
      files.endpoint,
      JSON.stringify({
        pid: process.pid,
        port: nobody,
        startedAt: '2026-11-30T10:00:00.000Z',
        path: files.ledger,
      }),
    );
    const connection = await connect(dataDir);
    try {
      expect((await connection.ledger.claim(details('event-1'))).kind).toBe('claimed');
      const endpoint = await readServerEndpoint(files.endpoint);
      expect(endpoint?.pid).not.toBe(process.pid);
      expect(endpoint?.port).not.toBe(nobody);
    } finally {
      await connection.close();
    }
  });

  it('reports a server failing requests (a full disk) as one error naming the path', async () => {
    const dataDir = await scratchDataDir();
    const files = ledgerFiles(dataDir);
    // A server that answers as the directory's ledger server and fails every DynamoDB request
    // as dynalite does when LevelDB cannot write.
    const failing = createServer((request, response) => {
      if (request.url === '/steward-ledger') {
        response.end(JSON.stringify({ pid: process.pid, path: files.ledger }));
        return;
      }
      request.resume();
      request.on('end', () => {
        response.statusCode = 500;
        response.setHeader('content-type', 'application/x-amz-json-1.0');
        response.end(
          JSON.stringify({
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: 'IO error: No space left on device',
          }),
        );
      });
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = failing.address() as AddressInfo;
      await mkdir(dataDir, { recursive: true });
      await writeFile(
        files.endpoint,
        JSON.stringify({
          pid: process.pid,
          port,
          startedAt: new Date().toISOString(),
          path: files.ledger,
        }),
      );
      await expect(connect(dataDir)).rejects.toThrow(
        new EmbeddedLedgerError(
          files.ledger,
          'failed a request: IO error: No space left on device',
        ),
      );
    } finally {
      failing.closeAllConnections();
      await new Promise((resolve) => failing.close(resolve));
    }
  });

  it('refuses a ledger whose CURRENT is missing, naming the path, and changes nothing', async () => {
    const dataDir = await writtenLedger();
    const { ledger } = ledgerFiles(dataDir);
    await rm(join(ledger, 'CURRENT'));
    const before = await snapshotTree(dataDir);
    expect(Object.keys(before).some((name) => /^ledger\/\d+\.(log|ldb)$/.test(name))).toBe(true);
    const refused = connect(dataDir);
    await expect(refused).rejects.toThrow(LedgerUnreadableError);
    await expect(refused).rejects.toThrow(
      `the embedded ledger at ${ledger} cannot be opened: CURRENT is missing; run "steward ledger check --repair"`,
    );
    expect(await snapshotTree(dataDir)).toEqual(before);
    expect(await SharedLedgerServer.serving(dataDir)).toBeUndefined();
  });

  it('refuses a ledger with a damaged file, naming the file', async () => {
    const dataDir = await writtenLedger();
    const { ledger } = ledgerFiles(dataDir);
    const log = (await readdir(ledger)).find((name) => /^\d+\.log$/.test(name));
    expect(log).toBeDefined();
    const path = join(ledger, log as string);
    const bytes = await readFile(path);
    expect(bytes.length).toBeGreaterThan(100);
    bytes.write('XXXXXXXX', 40);
    await writeFile(path, bytes);
    const before = await snapshotTree(dataDir);
    await expect(connect(dataDir)).rejects.toThrow(
      `the embedded ledger at ${ledger} cannot be opened: ${log} is damaged: checksum mismatch in the record at byte 0`,
    );
    expect(await snapshotTree(dataDir)).toEqual(before);
  });
});
