import { HomeAccount } from './accounts/home-account.js';
import { MemberSessions, roleArnIn } from './accounts/member-sessions.js';
import { remember } from './accounts/recently-used.js';
import { UndecidedAccountClients } from './accounts/undecided-account-clients.js';
import { AwsClients } from './aws-clients.js';
import type { Tracing } from './telemetry/observer.js';

export { MemberRoleError } from './accounts/member-sessions.js';
export { FACTS_SESSION, sessionName } from './accounts/session-name.js';

/** The member role's name when `STEWARD_MEMBER_ROLE_NAME` does not say. */
export const DEFAULT_MEMBER_ROLE_NAME = 'steward-member';

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
  /** Instruments every client the pool makes (X-Ray); none when absent. */
  tracing?: Pick<Tracing, 'captureClient'>;
}

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
  private readonly tracing: Pick<Tracing, 'captureClient'> | undefined;
  private readonly homeRegions = new Map<string, AwsClients>();
  private readonly members = new Map<string, AwsClients>();
  private readonly sessions: MemberSessions;
  private readonly homeAccount: HomeAccount;

  constructor(options: ClientPoolOptions) {
    this.region = options.region;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.memberRoleName = options.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME;
    this.maxEntries = options.maxEntries ?? 256;
    this.tracing = options.tracing;
    this.home = new AwsClients(this.region, this.requestTimeoutMs, { tracing: this.tracing });
    this.homeRegions.set(this.region, this.home);
    this.homeAccount = new HomeAccount(this.home, options.homeAccount);
    this.sessions = new MemberSessions({
      home: this.home,
      roleArn: (account) => this.roleArn(account),
      maxEntries: this.maxEntries,
    });
  }

  /**
   * The account steward runs in: as told or configured, else asked of STS once. Throws
   * `HomeAccountError` when STS cannot say.
   *
   * @example
   * const account = await pool.lookUpHomeAccount(); // '123456789012'
   */
  lookUpHomeAccount(): Promise<string> {
    return this.homeAccount.lookUp();
  }

  /** Records the account steward runs in once it is known (in Lambda, from the function's ARN). */
  knowHomeAccount(account: string): void {
    this.homeAccount.know(account);
  }

  /**
   * Clients for an account and region; the function's own when the account is absent or its
   * own, the function's region when the region is absent.
   */
  for(account: string | undefined, region: string | undefined, session: string): AwsClients {
    const where = region ?? this.region;
    const home = this.homeAccount.known;
    if (account === undefined || account === home) return this.inHomeAccount(where);
    const key = `${account}|${where}|${session}`;
    const known = this.members.get(key);
    if (known) {
      this.members.delete(key);
      this.members.set(key, known);
      return known;
    }
    const clients =
      home === undefined
        ? new UndecidedAccountClients(where, () =>
            this.homeAccount
              .lookUp()
              .then((own) =>
                own === account ? this.inHomeAccount(where) : this.member(account, where, session),
              ),
          )
        : this.member(account, where, session);
    remember(this.members, key, clients, this.maxEntries);
    return clients;
  }

  private member(account: string, region: string, session: string): AwsClients {
    return new AwsClients(region, this.requestTimeoutMs, {
      credentials: () => this.sessions.credentials(account, session),
      tracing: this.tracing,
    });
  }

  /** The function's own account in any region. */
  inHomeAccount(region: string): AwsClients {
    let clients = this.homeRegions.get(region);
    if (!clients) {
      clients = new AwsClients(region, this.requestTimeoutMs, { tracing: this.tracing });
      this.homeRegions.set(region, clients);
    }
    return clients;
  }

  /** The member role of an account, in the partition of the function's region. */
  roleArn(account: string): string {
    return roleArnIn(this.region, account, this.memberRoleName);
  }
}

/**
 * The pool the environment describes: `AWS_REGION`, `STEWARD_AWS_TIMEOUT_MS`,
 * `STEWARD_MEMBER_ROLE_NAME`, `STEWARD_ACCOUNT_ID`; its clients instrumented by `tracing`.
 *
 * @example
 * const pool = clientPoolFromEnv(process.env);
 */
export function clientPoolFromEnv(
  env: NodeJS.ProcessEnv,
  requestTimeoutMs?: number,
  tracing?: Pick<Tracing, 'captureClient'>,
): ClientPool {
  return new ClientPool({
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    requestTimeoutMs,
    memberRoleName: env.STEWARD_MEMBER_ROLE_NAME || undefined,
    homeAccount: env.STEWARD_ACCOUNT_ID || undefined,
    tracing,
  });
}
