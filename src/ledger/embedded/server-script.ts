/**
 * The JavaScript both kinds of embedded server run (CommonJS, evaluated with `node -e` or in a
 * worker thread, so that it needs no file of its own beside a bundle): dynalite on an HTTP
 * server whose requests first go to `onRequest`, which may answer them itself.
 *
 * dynalite throws from a request's `error` event (a client that went away mid-request); in a
 * server every steward process shares, that would end it for all of them, so the request is
 * only dropped.
 */
const serveDynalite = `
function serveDynalite(dynalitePath, path, onRequest) {
  const dynalite = require(dynalitePath);
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [handle] = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (request, response) => {
    if (onRequest(request, response)) return;
    handle(request, response);
    request.removeAllListeners('error');
    request.on('error', () => response.destroy());
  });
  return server;
}
`;

/**
 * The in-memory server of `startEmbeddedDynamoDB()`, in a worker thread: listens on a free
 * port of 127.0.0.1, reports it, and closes on request.
 */
export const memoryServerScript = `
const { parentPort, workerData } = require('node:worker_threads');
${serveDynalite}
const server = serveDynalite(workerData.dynalite, undefined, () => false);
server.once('error', (error) => parentPort.postMessage({ error: String((error && error.message) || error) }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  server.closeAllConnections();
  server.close(() => parentPort.postMessage({ closed: true }));
});
`;

/** The path a ledger server answers on with `{pid, path}`: how a client knows it is ours. */
export const identityPath = '/steward-ledger';

/**
 * The ledger server process (see `SharedLedgerServer`). Its configuration comes in the
 * environment variable `STEWARD_LEDGER_SERVER` (`{dynalite, path, endpointFile, idleMs}`), its
 * one message (`{ready: endpoint}` or `{error}`) goes to the steward process that spawned it
 * over IPC, and anything it could not say there goes to its stderr, a log file.
 *
 * A client's pooled connection keeps the server up (no keep-alive timeout), so it never closes
 * under a process that uses it; it stops once it has had no connection and no request for
 * `idleMs`. It checks that twice, the second time after the event loop accepted what was
 * pending, then stops listening (a later client is refused, and starts a new server), closes
 * the database and only then removes its endpoint file: a file naming a live process means the
 * database may be open.
 */
export const ledgerServerScript = `
'use strict';
const fs = require('node:fs');
const config = JSON.parse(process.env.STEWARD_LEDGER_SERVER);
process.title = 'steward-ledger-server';
const tell = (message) => { if (process.connected) process.send(message); };
const ownsEndpoint = () => {
  try { return JSON.parse(fs.readFileSync(config.endpointFile, 'utf8')).pid === process.pid; }
  catch { return false; }
};
const removeEndpoint = () => { if (ownsEndpoint()) fs.rmSync(config.endpointFile, { force: true }); };
process.on('uncaughtException', (error) => {
  console.error(new Date().toISOString(), 'ledger server', process.pid, 'failed:', error);
  tell({ error: String((error && error.message) || error) });
  try { removeEndpoint(); } finally { process.exit(1); }
});
${serveDynalite}
let connections = 0;
let lastActivity = Date.now();
let stopping = false;
const server = serveDynalite(config.dynalite, config.path, (request, response) => {
  lastActivity = Date.now();
  if (request.method !== 'GET' || request.url !== '${identityPath}') return false;
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ pid: process.pid, path: config.path }));
  return true;
});
server.keepAliveTimeout = 0;
server.on('connection', (socket) => {
  connections++;
  lastActivity = Date.now();
  socket.once('close', () => {
    connections--;
    lastActivity = Date.now();
  });
});
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close((error) => {
    if (error) console.error(new Date().toISOString(), 'ledger server', process.pid, 'closed with:', error);
    removeEndpoint();
    process.exit(error ? 1 : 0);
  });
};
const idle = () => !stopping && connections === 0 && Date.now() - lastActivity >= config.idleMs;
setInterval(() => { if (idle()) setImmediate(() => { if (idle()) stop(); }); }, Math.min(250, config.idleMs));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
server.once('error', (error) => {
  tell({ error: String((error && error.message) || error) });
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => {
  const endpoint = { pid: process.pid, port: server.address().port, startedAt: new Date().toISOString(), path: config.path };
  const temporary = config.endpointFile + '.' + process.pid;
  fs.writeFileSync(temporary, JSON.stringify(endpoint) + '\\n');
  fs.renameSync(temporary, config.endpointFile);
  tell({ ready: endpoint });
});
`;
