import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';

/**
 * A proxy in front of moto that answers `sts:AssumeRole` as AWS does and moto does not: moto
 * hands out credentials for any role ARN, while AWS refuses (`AccessDenied`) unless the role
 * exists and its trust policy names the caller's account. Every other request goes to moto
 * unchanged. The check reads the role from moto's IAM in the role's account
 * (`x-moto-account-id`), so a test creates member roles as a member account's admin would.
 *
 * @example
 * const gate = await StsGate.start(motoEndpoint, '123456789012');
 * process.env.AWS_ENDPOINT_URL = gate.endpoint;
 */
export class StsGate {
  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    /** Role ARNs refused, in order, with the reason. */
    readonly refused: { roleArn: string; reason: string }[],
    /** Session names of the roles assumed, by role ARN. */
    readonly sessions: { roleArn: string; session: string }[],
  ) {}

  /**
   * @param upstream moto's endpoint.
   * @param caller the account every caller of this gate belongs to (the central account).
   */
  static async start(upstream: string, caller: string): Promise<StsGate> {
    const target = new URL(upstream);
    const refused: { roleArn: string; reason: string }[] = [];
    const sessions: { roleArn: string; session: string }[] = [];
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = Buffer.concat(chunks);
        void (async () => {
          const form = new URLSearchParams(body.toString('utf8'));
          if (form.get('Action') === 'AssumeRole') {
            const roleArn = form.get('RoleArn') ?? '';
            const reason = await refusal(target, roleArn, caller);
            if (reason !== undefined) {
              refused.push({ roleArn, reason });
              outgoing
                .writeHead(403, { 'content-type': 'text/xml' })
                .end(accessDenied(caller, roleArn));
              return;
            }
            sessions.push({ roleArn, session: form.get('RoleSessionName') ?? '' });
          }
          const answer = await forward(
            target,
            incoming.method ?? 'POST',
            incoming.url ?? '/',
            incoming.headers,
            body,
          );
          outgoing.writeHead(answer.status, answer.headers).end(answer.body);
        })().catch((error: unknown) => outgoing.writeHead(502).end(String(error)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('the gate has no port');
    return new StsGate(server, `http://127.0.0.1:${address.port}`, refused, sessions);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function forward(
  target: URL,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const proxied = request(
      { host: target.hostname, port: target.port, method, path, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 502,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    proxied.on('error', reject);
    proxied.end(body);
  });
}

/** Why AWS would refuse to let `caller` assume `roleArn`; undefined when it would not. */
async function refusal(target: URL, roleArn: string, caller: string): Promise<string | undefined> {
  const match = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
  if (!match) return 'not a role ARN';
  const [, account = '', name = ''] = match;
  const query = new URLSearchParams({ Action: 'GetRole', RoleName: name, Version: '2010-05-08' });
  const answer = await forward(
    target,
    'POST',
    '/',
    {
      'content-type': 'application/x-www-form-urlencoded',
      'x-moto-account-id': account,
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
    },
    Buffer.from(query.toString()),
  );
  const text = answer.body.toString('utf8');
  if (answer.status !== 200) return `no role ${name} in ${account}`;
  const policy = /<AssumeRolePolicyDocument>([^<]*)<\/AssumeRolePolicyDocument>/.exec(text)?.[1];
  const trust = decodeURIComponent(policy ?? '');
  return trust.includes(`:${caller}:`) || trust.includes(`"${caller}"`)
    ? undefined
    : `the trust of ${roleArn} does not name ${caller}`;
}

function accessDenied(caller: string, roleArn: string): string {
  return (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>' +
    `<Code>AccessDenied</Code><Message>User: arn:aws:iam::${caller}:root is not authorized to ` +
    `perform: sts:AssumeRole on resource: ${roleArn}</Message></Error>` +
    `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`
  );
}
