/**
 * Where a sweep looks: every configured account in every configured region. The sweep function
 * reads them from its environment (`STEWARD_SWEEP_ACCOUNTS`, `STEWARD_SWEEP_REGIONS`, comma
 * lists the deployment sets), by default its own account and region; other accounts are read
 * through their member role, as every cross-account call is.
 */
import { accountIdPattern, regionPattern } from '../aws-ids.js';
import { StewardError } from '../errors.js';

/** One account and region a sweep describes. */
export interface SweepTarget {
  account: string;
  region: string;
}

/** The variables that name a sweep's regions and accounts. */
export const SWEEP_REGIONS_VARIABLE = 'STEWARD_SWEEP_REGIONS';
export const SWEEP_ACCOUNTS_VARIABLE = 'STEWARD_SWEEP_ACCOUNTS';

/**
 * A list of regions or accounts that cannot be used, naming where it came from and the entry.
 *
 * @example
 * throw new SweepTargetError('"us-east" is not a region name', '--regions');
 */
export class SweepTargetError extends StewardError {
  constructor(
    message: string,
    /** The variable or option the list came from. */
    readonly setting: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'SweepTargetError';
  }
}

/**
 * The entries of a comma list, blanks around them ignored, each checked as a region or an
 * account id; undefined when the list is absent or blank.
 *
 * @example
 * parseTargetList('us-east-1, eu-west-1', 'regions', '--regions'); // ['us-east-1', 'eu-west-1']
 */
export function parseTargetList(
  text: string | undefined,
  kind: 'regions' | 'accounts',
  setting: string,
): string[] | undefined {
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return undefined;
  const valid = kind === 'regions' ? regionPattern : accountIdPattern;
  for (const entry of entries)
    if (!valid.test(entry))
      throw new SweepTargetError(
        kind === 'regions'
          ? `${JSON.stringify(entry)} is not a region name (such as us-east-1)`
          : `${JSON.stringify(entry)} is not a 12-digit account id`,
        setting,
      );
  return [...new Set(entries)];
}

/**
 * Every account in every region, the accounts' order kept.
 *
 * @example
 * sweepTargets(['111122223333'], ['us-east-1', 'eu-west-1']); // two targets
 */
export function sweepTargets(
  accounts: readonly string[],
  regions: readonly string[],
): SweepTarget[] {
  return accounts.flatMap((account) => regions.map((region) => ({ account, region })));
}

/**
 * The targets the environment names, by default the given home account and region.
 *
 * @example
 * targetsFromEnv(process.env, { account: '123456789012', region: 'us-east-1' });
 */
export function targetsFromEnv(env: NodeJS.ProcessEnv, home: SweepTarget): SweepTarget[] {
  return sweepTargets(
    parseTargetList(env[SWEEP_ACCOUNTS_VARIABLE], 'accounts', SWEEP_ACCOUNTS_VARIABLE) ?? [
      home.account,
    ],
    parseTargetList(env[SWEEP_REGIONS_VARIABLE], 'regions', SWEEP_REGIONS_VARIABLE) ?? [
      home.region,
    ],
  );
}
