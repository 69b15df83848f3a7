import { AwsClients, type CredentialsProvider } from './aws-clients.js';
import { messageOf, StewardError } from './errors.js';

/** The member role's name when `STEWARD_MEMBER_ROLE_NAME` does not say. */
export const DEFAULT_MEMBER_ROLE_NAME = 'steward-member';

/** The session name lazy facts read member accounts with: shared by every event of a container. */
export const FACTS_SESSION = 'steward-facts';

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

/** The account steward runs in could not be found out, so no event's account can be told apart from it. */
export class HomeAccountError extends StewardError {
  constructor(options: { cause: unknown }) {
    super(
      `cannot tell which account steward runs in (set STEWARD_ACCOUNT_ID): ${messageOf(options.cause)}`,
      options,
    );
    this.name = 'HomeAccountError';
  }
}

export interface ClientPoolOptions {
  /** The function's region: events that name none are acted on here. */
  region: string;
  requestTimeoutMs?: number;
  /** The role assumed in every other account: `arn:<partition>:iam::<account>:role/<name>`. */
  memberRoleName?: string;
  /** The account steward runs in; asked of STS (`GetCallerIdentity`) on first need when absent. */
  homeAccount?: string;
  /** How many member sessions and client sets are kept at once (default 256). */
  maxEntries?: number;
}

interface Session {
  credentials?: Awaited<ReturnType<CredentialsProvider>>;
  pending?: Promise<Awaited<ReturnType<CredentialsProvider>>>;
}

/** Credentials are renewed this long before they expire, so no call starts with stale ones. */
const renewBeforeMs = 5 * 60_000;
/** Assumed sessions last the shortest time STS allows: a session outliving its action is of no use. */
const sessionSeconds = 900;

/**
 * AWS clients for every (account, region) steward acts in, each created on first use and kept
 * for the container's life. The function's own account uses its own role; any other account is
 * reached by `sts:AssumeRole` into the member role, under a session name that says who acts (a
 * rule and an event, or `steward-facts` for the lazy facts' reads), so the member account's
 * CloudTrail shows why each change was made. A role that cannot be assumed is a
 * `MemberRoleError` from the first call that needs it.
 *
 * @example
 * const pool = new ClientPool({ region: 'us-east-1' });
 * const ec2 = await pool.for('222233334444', 'us-west-2', sessionName(rule.id, event.id)).ec2();
 */
export class ClientPool {
  /** The function's own account, in its own region. */
  readonly home: AwsClients;
  readonly region: string;
  readonly memberRoleName: string;
  private readonly requestTimeoutMs: number | undefined;
  private readonly maxEntries: number;
  private readonly homeRegions = new Map<string, AwsClients>();
  private readonly members = new Map<string, AwsClients>();
  private readonly sessions = new Map<string, Session>();
  private homeAccount: string | undefined;
  private homeAccountLookup: Promise<string> | undefined;

  constructor(options: ClientPoolOptions) {
    this.region = options.region;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.memberRoleName = options.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME;
    this.homeAccount = options.homeAccount;
    this.maxEntries = options.maxEntries ?? 256;
    this.home = new AwsClients(this.region, this.requestTimeoutMs);
    this.homeRegions.set(this.region, this.home);
  }

  /** Records the account steward runs in once it is known (in Lambda, from the function's ARN). */
  knowHomeAccount(account: string): void {
    this.homeAccount ??= account;
  }

  /**
   * Clients for an account and region; the function's own when the account is absent or its
   * own, the function's region when the region is absent.
   */
  for(account: string | undefined, region: string | undefined, session: string): AwsClients {
    const where = region ?? this.region;
    if (account === undefined || account === this.homeAccount) return this.inHomeAccount(where);
    const key = `${account}|${where}|${session}`;
    const known = this.members.get(key);
    if (known) {
      this.members.delete(key);
      this.members.set(key, known);
      return known;
    }
    const clients =
      this.homeAccount === undefined
        ? new AccountClients(where, () =>
            this.ownAccount().then((own) =>
              own === account ? this.inHomeAccount(where) : this.member(account, where, session),
            ),
          )
        : this.member(account, where, session);
    remember(this.members, key, clients, this.maxEntries);
    return clients;
  }

  private member(account: string, region: string, session: string): AwsClients {
    return new AwsClients(region, this.requestTimeoutMs, () =>
      this.credentialsFor(account, session),
    );
  }

  /** The function's own account in any region. */
  inHomeAccount(region: string): AwsClients {
    let clients = this.homeRegions.get(region);
    if (!clients) {
      clients = new AwsClients(region, this.requestTimeoutMs);
      this.homeRegions.set(region, clients);
    }
    return clients;
  }

  /** The member role of an account, in the partition of the function's region. */
  roleArn(account: string): string {
    return `arn:${partitionOf(this.region)}:iam::${account}:role/${this.memberRoleName}`;
  }

  private async credentialsFor(
    account: string,
    session: string,
  ): Promise<Awaited<ReturnType<CredentialsProvider>>> {
    const key = `${account}|${session}`;
    let entry = this.sessions.get(key);
    if (!entry) {
      entry = {};
      remember(this.sessions, key, entry, this.maxEntries);
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

  private async assume(
    account: string,
    session: string,
  ): Promise<Awaited<ReturnType<CredentialsProvider>>> {
    const roleArn = this.roleArn(account);
    try {
      const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
      const sts = await this.home.sts();
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

  /** The account steward runs in, asked of STS once when nothing said it. */
  private async ownAccount(): Promise<string> {
    if (this.homeAccount !== undefined) return this.homeAccount;
    this.homeAccountLookup ??= (async () => {
      try {
        const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
        const { Account: account } = await (
          await this.home.sts()
        ).send(new GetCallerIdentityCommand({}));
        if (account === undefined) throw new StewardError('STS named no account');
        this.homeAccount = account;
        return account;
      } catch (error) {
        this.homeAccountLookup = undefined;
        throw new HomeAccountError({ cause: error });
      }
    })();
    return this.homeAccountLookup;
  }
}

/**
 * Clients for an account that may turn out to be the function's own: the first call finds out
 * which, then every call goes to that account's clients.
 */
class AccountClients extends AwsClients {
  #target?: Promise<AwsClients>;

  constructor(
    region: string,
    private readonly resolve: () => Promise<AwsClients>,
  ) {
    super(region);
  }

  private target(): Promise<AwsClients> {
    this.#target ??= this.resolve().catch((error: unknown) => {
      this.#target = undefined;
      throw error;
    });
    return this.#target;
  }

  override ec2() {
    return this.target().then((clients) => clients.ec2());
  }
  override s3() {
    return this.target().then((clients) => clients.s3());
  }
  override cloudTrail() {
    return this.target().then((clients) => clients.cloudTrail());
  }
  override logs() {
    return this.target().then((clients) => clients.logs());
  }
  override sns() {
    return this.target().then((clients) => clients.sns());
  }
  override eventBridge() {
    return this.target().then((clients) => clients.eventBridge());
  }
  override sts() {
    return this.target().then((clients) => clients.sts());
  }
}

/**
 * The pool the environment describes: `AWS_REGION`, `STEWARD_AWS_TIMEOUT_MS`,
 * `STEWARD_MEMBER_ROLE_NAME`, `STEWARD_ACCOUNT_ID`.
 *
 * @example
 * const pool = clientPoolFromEnv(process.env);
 */
export function clientPoolFromEnv(env: NodeJS.ProcessEnv, requestTimeoutMs?: number): ClientPool {
  return new ClientPool({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    requestTimeoutMs,
    memberRoleName: env.STEWARD_MEMBER_ROLE_NAME || undefined,
    homeAccount: env.STEWARD_ACCOUNT_ID || undefined,
  });
}

/** A map kept to `max` entries, the least recently added or used dropped first. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const sessionNameLimit = 64;
const notInSessionName = /[^\w+=,.@-]/g;

/**
 * The STS session name an action acts under: its rule and its event (`<rule>@<event>`), cut to
 * STS's 64 characters (the rule to 32 at most) and to the characters STS allows.
 *
 * @example
 * sessionName('ec2-security-group-open-to-world', '3a1c…'); // 'ec2-security-group-open-to-world@3a1c…'
 */
export function sessionName(ruleId: string, eventId: string): string {
  const rule = ruleId.replace(notInSessionName, '-').slice(0, 32);
  const event = eventId.replace(notInSessionName, '-');
  return `${rule}@${event}`.slice(0, sessionNameLimit);
}
