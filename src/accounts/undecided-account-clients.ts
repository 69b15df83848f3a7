import { AwsClients } from '../aws-clients.js';

/**
 * Clients for an account that may turn out to be the function's own: the first call finds out
 * which, then every call goes to that account's clients. A failed finding out is tried again
 * by the next call.
 *
 * @example
 * const clients = new UndecidedAccountClients('us-west-2', async () =>
 *   (await homeAccount.lookUp()) === account ? homeClients : memberClients);
 * await clients.ec2();
 */
export class UndecidedAccountClients extends AwsClients {
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
