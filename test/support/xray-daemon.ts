import { createSocket, type Socket } from 'node:dgram';

/** The header line the X-Ray daemon protocol puts before each segment document. */
const protocolHeader = '{"format":"json","version":1}';

/** A segment or subsegment document, as far as the tests read it. */
export interface SegmentDocument {
  id: string;
  name: string;
  trace_id: string;
  parent_id?: string;
  type?: string;
  namespace?: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  error?: boolean;
  fault?: boolean;
  annotations?: Record<string, string | number | boolean>;
  metadata?: Record<string, Record<string, unknown>>;
  aws?: { operation?: string; region?: string };
}

/**
 * What an X-Ray daemon receives, on a UDP port of 127.0.0.1: the X-Ray SDK sends each
 * (sub)segment as one datagram, the protocol's header line then the document. Datagrams that
 * are not that are kept as `problems`.
 *
 * @example
 * const daemon = await XRayDaemon.start();
 * // run with AWS_XRAY_DAEMON_ADDRESS=daemon.address, then read daemon.documents
 */
export class XRayDaemon {
  readonly documents: SegmentDocument[] = [];
  readonly problems: string[] = [];

  private constructor(
    private readonly socket: Socket,
    /** `127.0.0.1:<port>`, as `AWS_XRAY_DAEMON_ADDRESS` takes it. */
    readonly address: string,
  ) {
    socket.on('message', (message) => this.receive(message.toString('utf8')));
  }

  /** A daemon listening on a free port of 127.0.0.1. */
  static async start(): Promise<XRayDaemon> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new XRayDaemon(socket, `127.0.0.1:${socket.address().port}`);
  }

  /**
   * The documents received once every datagram already delivered to the socket was read: a
   * process that sent its last subsegments and exited may be seen to exit before they are.
   */
  async received(): Promise<SegmentDocument[]> {
    let count: number;
    do {
      count = this.documents.length + this.problems.length;
      await new Promise((resolve) => setImmediate(resolve));
    } while (this.documents.length + this.problems.length !== count);
    return this.documents;
  }

  private receive(datagram: string): void {
    const newline = datagram.indexOf('\n');
    if (newline < 0 || datagram.slice(0, newline) !== protocolHeader) {
      this.problems.push(`no protocol header: ${datagram.slice(0, 80)}`);
      return;
    }
    try {
      this.documents.push(JSON.parse(datagram.slice(newline + 1)) as SegmentDocument);
    } catch (error) {
      this.problems.push(`not JSON: ${String(error)}`);
    }
  }

  /** Stops listening. */
  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(resolve));
  }
}
