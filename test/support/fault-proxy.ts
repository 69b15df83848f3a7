import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { classifyRequest, serviceError, type CallRequest, type FaultKind } from './aws-calls.js';
import { freePort } from './moto.js';

export type { CallRequest, FaultKind } from './aws-calls.js';

/** Where a fault strikes: the Nth request of a call (1 = the first), or every one from the Nth on. */
export interface FaultRule {
  call: string;
  kind: FaultKind;
  /** Default 1. */
  nth?: number;
  /** `once` (default): only the Nth matching request; `always`: it and every one after it. */
  times?: 'once' | 'always';
  /** Narrows the requests the rule counts, e.g. to those naming one resource. */
  where?: (request: CallRequest) => boolean;
}

/** What the proxy saw of one request and did with it. */
export interface RequestRecord extends CallRequest {
  /** The fault injected, if any. */
  fault?: FaultKind;
  /** True when the upstream received and answered the request (for `drop`, the client never saw it). */
  applied: boolean;
  /** The upstream's HTTP status, or the injected one; undefined when nothing answered. */
  status?: number;
  /** For a `timeout`: true when the client gave up on the request before the hold ended. */
  clientGaveUp?: boolean;
}

export interface FaultProxyOptions {
  /** The server requests are forwarded to, e.g. `http://127.0.0.1:4566`. */
  upstream: string;
  /**
   * How long a `timeout` holds a request when the client does not give up first; then the
   * connection is closed without an answer, as a load balancer's idle timeout would.
   */
  holdMs?: number;
}

/** A rule with its own count of the requests it matched. */
interface ArmedRule extends FaultRule {
  seen: number;
}

function readBody(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks)));
    incoming.on('error', reject);
  });
}

/**
 * A real HTTP proxy on 127.0.0.1 in front of a DynamoDB-API server (dynalite) or the AWS API
 * emulator (moto) that injects the faults of a bad day at chosen calls: throttling and server
 * errors in the service's own words (not forwarded), a timeout (held, never forwarded), and a
 * dropped response (forwarded and applied upstream, then the connection closed unanswered).
 * Every request is recorded with its call, whether the upstream applied it, and its status, so
 * a test can count the mutating calls that took effect.
 *
 * @example
 * const proxy = await FaultProxy.start({ upstream: moto.endpoint });
 * proxy.inject({ call: 'CreateTags', kind: 'drop' });
 * proxy.applied('CreateTags'); // requests moto answered with 2xx
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #upstream: URL;
  readonly #holdMs: number;
  #rules: ArmedRule[] = [];
  #records: RequestRecord[] = [];
  readonly #inFlight = new Set<Promise<void>>();

  private constructor(
    server: Server,
    readonly endpoint: string,
    options: FaultProxyOptions,
  ) {
    this.#server = server;
    this.#upstream = new URL(options.upstream);
    this.#holdMs = options.holdMs ?? 5_000;
  }

  /** Starts a proxy to `options.upstream` on a free port of 127.0.0.1. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const port = await freePort();
    const server = createServer();
    const proxy = new FaultProxy(server, `http://127.0.0.1:${port}`, options);
    server.on('request', (incoming: IncomingMessage, outgoing: ServerResponse) => {
      const handled = proxy.#handle(incoming, outgoing).catch((error: unknown) => {
        if (!outgoing.headersSent) outgoing.writeHead(502);
        outgoing.end(`fault proxy: ${error instanceof Error ? error.message : String(error)}`);
      });
      proxy.#inFlight.add(handled);
      void handled.finally(() => proxy.#inFlight.delete(handled));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /**
   * Adds a fault rule; rules are checked in the order they were added, the first that fires
   * wins. Returns a function that removes this rule alone (a fault that ends).
   */
  inject(rule: FaultRule): () => void {
    if ((rule.nth ?? 1) < 1) throw new RangeError(`nth must be 1 or more, got ${rule.nth}`);
    const armed: ArmedRule = { ...rule, seen: 0 };
    this.#rules.push(armed);
    return () => {
      this.#rules = this.#rules.filter((candidate) => candidate !== armed);
    };
  }

  /** Removes every fault rule; the records stay. */
  clearFaults(): void {
    this.#rules = [];
  }

  /** Forgets the records (and keeps the rules). */
  clearRecords(): void {
    this.#records = [];
  }

  /**
   * Resolves once every request received so far is done with (a held one included), so its
   * record is complete: a client may have moved on before the proxy saw it give up.
   */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /** Every request so far, in the order they arrived. */
  get records(): readonly RequestRecord[] {
    return this.#records;
  }

  /** How many requests of `call` the upstream applied with a 2xx answer (whether the client saw it or not). */
  applied(call: string, where: (request: CallRequest) => boolean = () => true): number {
    return this.#records.filter(
      (record) =>
        record.call === call &&
        record.applied &&
        record.status !== undefined &&
        record.status < 300 &&
        where(record),
    ).length;
  }

  /** Stops the proxy, cutting any connection still open. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }

  #faultFor(request: CallRequest): FaultKind | undefined {
    let fault: FaultKind | undefined;
    for (const rule of this.#rules) {
      if (rule.call !== request.call || (rule.where !== undefined && !rule.where(request)))
        continue;
      rule.seen += 1;
      const nth = rule.nth ?? 1;
      const fires = rule.times === 'always' ? rule.seen >= nth : rule.seen === nth;
      if (fires && fault === undefined) fault = rule.kind;
    }
    return fault;
  }

  async #handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const body = await readBody(incoming);
    const request = classifyRequest(incoming.headers, body.toString('utf8'));
    const fault = this.#faultFor(request);
    const record: RequestRecord = { ...request, applied: false, ...(fault ? { fault } : {}) };
    this.#records.push(record);
    if (fault === 'throttle' || fault === 'server-error') {
      const answer = serviceError(request.protocol, fault);
      record.status = answer.status;
      outgoing.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    if (fault === 'timeout') {
      record.clientGaveUp = await this.#hold(incoming);
      incoming.socket.destroy();
      return;
    }
    const answer = await this.#forward(incoming, body);
    record.applied = true;
    record.status = answer.status;
    if (fault === 'drop') {
      incoming.socket.destroy();
      return;
    }
    outgoing.writeHead(answer.status, answer.headers).end(answer.body);
  }

  /** Until the client gives up on the request (true), or the hold time ends (false). */
  #hold(incoming: IncomingMessage): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.#holdMs);
      incoming.socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  #forward(
    incoming: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: this.#upstream.hostname,
          port: this.#upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (response) => {
          readBody(response).then(
            (answer) =>
              resolve({
                status: response.statusCode ?? 502,
                headers: response.headers,
                body: answer,
              }),
            reject,
          );
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  }
}
