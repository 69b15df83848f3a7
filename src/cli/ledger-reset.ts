import { connectLedger, embeddedDataDir, usesEmbeddedLedger } from '../ledger/connect.js';
import { UsageError, type Output } from './output.js';

/** The variables that make this environment name a DynamoDB table rather than the embedded ledger. */
function realTableSettings(env: NodeJS.ProcessEnv): string {
  const names = [
    'STEWARD_LEDGER',
    'STEWARD_LEDGER_TABLE',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'AWS_ENDPOINT_URL',
    'AWS_LAMBDA_FUNCTION_NAME',
  ];
  return names
    .filter((name) => env[name] !== undefined)
    .map((name) => `${name}=${env[name]}`)
    .join(', ');
}

/**
 * `steward ledger reset [--yes]`: deletes every entry (and every rate-limit, cooldown and
 * state-change guard) of the embedded ledger. Refused where the environment names a DynamoDB
 * table; asks first on a terminal; without one, refused unless `--yes` says it is meant.
 *
 * @example
 * await resetCommand({ yes: true }, output); // 'deleted 12 entries: the embedded ledger (…) is empty'
 */
export async function resetCommand(
  options: { yes: boolean },
  output: Output,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (!usesEmbeddedLedger(env))
    throw new UsageError(
      `reset empties only the embedded ledger, and this environment names a DynamoDB table (${realTableSettings(env)}): nothing was deleted`,
    );
  if (!options.yes && output.ask === undefined)
    throw new UsageError(
      `reset deletes every entry of the embedded ledger in ${embeddedDataDir(env)}, and there is no terminal to confirm it on: nothing was deleted; pass --yes to reset without asking`,
    );
  const connection = await connectLedger(env);
  try {
    const { reset } = connection;
    if (reset === undefined)
      throw new UsageError(
        `reset: the ${connection.description} cannot be reset: nothing was deleted`,
      );
    const entries = (await connection.ledger.list()).length;
    const what = `${entries} ${entries === 1 ? 'entry' : 'entries'}`;
    if (!options.yes && output.ask !== undefined) {
      const answer = await output.ask(
        `delete all ${what} of the ${connection.description}, and its rate limits, cooldowns and state-change guards? [y/N] `,
      );
      if (!/^\s*y(es)?\s*$/i.test(answer)) {
        output.err('nothing deleted');
        return 1;
      }
    }
    await reset();
    output.out(`deleted ${what}: the ${connection.description} is empty`);
    return 0;
  } finally {
    await connection.close();
  }
}
