import type { AwsClients, CredentialsProvider } from '../aws-clients.js';
import { messageOf, StewardError } from '../errors.js';
import { remember } from './recently-used.js';

/** A member account's role could not be assumed; the action on that account fails with this. */
export class MemberRoleError extends StewardError {
  constructor(
    readonly account: string,
    readonly roleArn: string,
    options: { cause: unknown },
  ) {
    super(`cannot assume ${roleArn} in ${account}: ${messageOf(options.cause)}`, options);
    this.name = 'MemberRoleError';
  }
}

type Credentials = Awaited<ReturnType<CredentialsProvider>>;

interface Session {
  credentials?: Credentials;
  pending?: Promise<Credentials>;
}

/** Credentials are renewed this long before they expire, so no call starts with stale ones. */
const renewBeforeMs = 5 * 60_000;
/** Assumed sessions last the shortest time STS allows: a session outliving its action is of no use. */
const sessionSeconds = 900;

/** What assuming member roles needs: the home account's clients, and which role to assume. */
export interface MemberSessionsOptions {
  /** The function's own account: its STS client assumes the member roles. */
  home: AwsClients;
  /** The member role of an account. */
  roleArn: (account: string) => string;
  /** How many sessions are kept at once. */
  maxEntries: number;
}

/**
 * The credentials of member-role sessions, one per (account, session name): assumed with
 * `sts:AssumeRole` on first need, shared by concurrent callers while the call is under way,
 * and renewed before they expire.
 *
 * @example
 * const sessions = new MemberSessions({ home, roleArn: (account) => `arn:aws:iam::${account}:role/steward-member`, maxEntries: 256 });
 * const credentials = await sessions.credentials('222233334444', 'rule@event');
 */
export class MemberSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: MemberSessionsOptions) {}

  /** A session's credentials, assuming the role when there are none fresh enough. */
  async credentials(account: string, session: string): Promise<Credentials> {
    const key = `${account}|${session}`;
    let entry = this.sessions.get(key);
    if (!entry) {
      entry = {};
      remember(this.sessions, key, entry, this.options.maxEntries);
    }
    const fresh = entry.credentials;
    if (fresh && (fresh.expiration?.getTime() ?? Infinity) - Date.now() > renewBeforeMs)
      return fresh;
    const current = entry;
    current.pending ??= this.assume(account, session).then(
      (credentials) => {
        current.credentials = credentials;
        current.pending = undefined;
        return credentials;
      },
      (error: unknown) => {
        current.pending = undefined;
        throw error;
      },
    );
    return current.pending;
  }

  private async assume(account: string, session: string): Promise<Credentials> {
    const roleArn = this.options.roleArn(account);
    try {
      const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
      const sts = await this.options.home.sts();
      const { Credentials: credentials } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: session,
          DurationSeconds: sessionSeconds,
        }),
      );
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
        throw new StewardError('STS returned no credentials');
      return {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        expiration: credentials.Expiration,
      };
    } catch (error) {
      throw new MemberRoleError(account, roleArn, { cause: error });
    }
  }
}

/**
 * The ARN of a role in an account, in the partition of a region.
 *
 * @example
 * roleArnIn('cn-north-1', '222233334444', 'steward-member'); // 'arn:aws-cn:iam::222233334444:role/steward-member'
 */
export function roleArnIn(region: string, account: string, roleName: string): string {
  return `arn:${partitionOf(region)}:iam::${account}:role/${roleName}`;
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
