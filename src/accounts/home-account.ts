import type { AwsClients } from '../aws-clients.js';
import { messageOf, StewardError } from '../errors.js';

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

/**
 * The account steward runs in: as configured, as Lambda tells it (the function's ARN), or else
 * asked of STS (`GetCallerIdentity`) once, on first need. A failed lookup is asked again next
 * time.
 *
 * @example
 * const homeAccount = new HomeAccount(home, process.env.STEWARD_ACCOUNT_ID);
 * const account = homeAccount.known ?? (await homeAccount.lookUp());
 */
export class HomeAccount {
  private lookup: Promise<string> | undefined;

  constructor(
    private readonly home: AwsClients,
    private account: string | undefined,
  ) {}

  /** The account, if it is known without asking STS. */
  get known(): string | undefined {
    return this.account;
  }

  /** Records the account once it is known; the first account told stays. */
  know(account: string): void {
    this.account ??= account;
  }

  /** The account, asked of STS once when nothing said it. */
  async lookUp(): Promise<string> {
    if (this.account !== undefined) return this.account;
    this.lookup ??= (async () => {
      try {
        const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
        const { Account: account } = await (
          await this.home.sts()
        ).send(new GetCallerIdentityCommand({}));
        if (account === undefined) throw new StewardError('STS named no account');
        this.account = account;
        return account;
      } catch (error) {
        this.lookup = undefined;
        throw new HomeAccountError({ cause: error });
      }
    })();
    return this.lookup;
  }
}
