import { DEFAULT_MEMBER_ROLE_NAME } from '../client-pool.js';
import { StewardError } from '../errors.js';
import { defaultMetricsNamespace } from '../telemetry/names.js';
import { parseTargetList } from '../sweep/targets.js';

/** The member role's name when `memberRoleName` is not given; the AWS clients assume the same. */
export const defaultMemberRoleName = DEFAULT_MEMBER_ROLE_NAME;

/** What `sls package` and `sls deploy` take as `--param="name=value"`, checked. */
export interface DeployParameters {
  /** The existing bucket CloudTrail delivers log files to; no S3 trigger when empty. */
  cloudTrailBucket: string;
  /** Log groups to subscribe; the rules' own (non-wildcard) groups when empty. */
  logGroups: readonly string[];
  service: string;
  stage: string;
  /** The region the stack is deployed in: it is part of the functions' role names. */
  region: string;
  /** An SNS topic every alarm notifies, as it goes off and as it ends; none when empty. */
  alarmTopicArn: string;
  /** The AWS Organizations id (`o-…`) this deployment serves; one account as before when empty. */
  organizationId: string;
  /** The role each member account holds for steward's functions to assume. */
  memberRoleName: string;
  /** The log groups CloudTrail delivers to: only their records are believed as CloudTrail. */
  cloudTrailLogGroups: readonly string[];
  /** The ledger table refuses deletion (serverless.yml turns it on for the prod stage). */
  deletionProtection: boolean;
  /** The regions the scheduled sweeps describe: the stack's own when not given. */
  sweepRegions: readonly string[];
  /**
   * The accounts the scheduled sweeps describe, in an organization; none given: the home
   * account only.
   */
  sweepAccounts: readonly string[];
  /** The CloudWatch namespace the functions write their metrics to and the alarms read. */
  metricsNamespace: string;
  /** X-Ray traces of the functions, their AWS calls and each action. */
  tracing: boolean;
  /** The functions' log level. */
  logLevel: LogLevel;
  /** The fraction of invocations logged at DEBUG whatever the level, 0 to 1. */
  debugSampleRate: number;
}

/** The log levels a deployment may give its functions, quietest last. */
export const logLevels = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof logLevels)[number];

/** A deploy parameter whose value AWS would refuse, named with what it must look like. */
export class DeployParameterError extends StewardError {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`deploy parameter ${parameter}: ${message}`);
    this.name = 'DeployParameterError';
  }
}

const organizationIdPattern = /^o-[a-z0-9]{10,32}$/;
/** IAM's role name characters (no path): the member trust and the function roles name it. */
const roleNamePattern = /^[\w+=,.@-]{1,64}$/;

/**
 * The items of a comma-separated parameter, trimmed, empty ones dropped.
 *
 * @example
 * commaList(' /var/log/secure, ,/aws/cloudtrail '); // ['/var/log/secure', '/aws/cloudtrail']
 */
export function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * Checks an organization id as AWS Organizations writes it; `undefined` for an empty one.
 *
 * @example
 * checkedOrganizationId('o-a1b2c3d4e5'); // 'o-a1b2c3d4e5'
 * checkedOrganizationId('org-1'); // throws DeployParameterError naming organizationId
 */
export function checkedOrganizationId(value: string, parameter = 'organizationId'): string {
  const id = value.trim();
  if (id !== '' && !organizationIdPattern.test(id))
    throw new DeployParameterError(
      parameter,
      `"${id}" is not an organization id (o- and 10 to 32 lowercase letters or digits)`,
    );
  return id;
}

/**
 * Checks an IAM role name (no path), the member role's or one built from it.
 *
 * @example
 * checkedRoleName('steward-member', 'memberRoleName'); // 'steward-member'
 */
export function checkedRoleName(value: string, parameter: string): string {
  if (!roleNamePattern.test(value))
    throw new DeployParameterError(
      parameter,
      `"${value}" is not an IAM role name (1 to 64 of letters, digits and +=,.@_-)`,
    );
  return value;
}

/**
 * The deploy parameters from the raw `--param` values, with their defaults, checked: an
 * organization id that is not one or a role name IAM would refuse stops the package with a
 * message naming the parameter.
 *
 * @example
 * const parameters = deployParameters({ organizationId: 'o-a1b2c3d4e5' },
 *   { service: 'steward', stage: 'prod', region: 'us-east-1' });
 * parameters.memberRoleName; // 'steward-member'
 */
export function deployParameters(
  params: Readonly<Record<string, string | undefined>>,
  stack: { service: string; stage: string; region: string },
): DeployParameters {
  return {
    ...stack,
    cloudTrailBucket: (params.cloudTrailBucket ?? '').trim(),
    logGroups: commaList(params.logGroups),
    alarmTopicArn: (params.alarmTopicArn ?? '').trim(),
    organizationId: checkedOrganizationId(params.organizationId ?? ''),
    memberRoleName: checkedRoleName(
      (params.memberRoleName ?? '').trim() || defaultMemberRoleName,
      'memberRoleName',
    ),
    cloudTrailLogGroups: commaList(params.cloudTrailLogGroups),
    deletionProtection: checkedBoolean(params.deletionProtection, 'deletionProtection'),
    ...sweepParameters(params, stack.region),
    metricsNamespace: checkedMetricsNamespace(
      (params.metricsNamespace ?? '').trim() || defaultMetricsNamespace(stack.stage, stack.service),
    ),
    tracing: checkedBoolean(params.tracing, 'tracing'),
    logLevel: checkedLogLevel(params.logLevel),
    debugSampleRate: checkedSampleRate(params.debugSampleRate),
  };
}

/**
 * Where the scheduled sweeps look: the regions given, else the stack's; the accounts given,
 * which only an organization's member role reaches, else the home account alone (no list).
 */
function sweepParameters(
  params: Readonly<Record<string, string | undefined>>,
  region: string,
): Pick<DeployParameters, 'sweepRegions' | 'sweepAccounts'> {
  // Checked as the sweep function checks them, so a deployment cannot give it what it refuses.
  const regions =
    parseTargetList(params.sweepRegions, 'regions', 'deploy parameter sweepRegions') ?? [];
  const accounts =
    parseTargetList(params.sweepAccounts, 'accounts', 'deploy parameter sweepAccounts') ?? [];
  if (accounts.length > 0 && (params.organizationId ?? '').trim() === '')
    throw new DeployParameterError(
      'sweepAccounts',
      'other accounts are reached through the member role of an organization: give organizationId too',
    );
  return { sweepRegions: regions.length > 0 ? regions : [region], sweepAccounts: accounts };
}

/**
 * `true` or `false` as a parameter gives it, false when not given.
 *
 * @example
 * checkedBoolean('true', 'deletionProtection'); // true
 * checkedBoolean('yes', 'deletionProtection'); // throws DeployParameterError naming deletionProtection
 */
export function checkedBoolean(value: string | undefined, parameter: string): boolean {
  const text = (value ?? '').trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  throw new DeployParameterError(parameter, `"${text}" is not true or false`);
}

/** CloudWatch's namespace characters: letters, digits, `.-_/#:` and spaces, at most 255. */
const namespacePattern = /^[0-9A-Za-z.\-_/#: ]{1,255}$/;

/**
 * Checks a metrics namespace as CloudWatch takes it: at most 255 of letters, digits, `.-_/#:`
 * and spaces, not blank, not starting with `:` (an alarm refuses it) nor with `AWS/` (AWS's own).
 *
 * @example
 * checkedMetricsNamespace('steward/prod'); // 'steward/prod'
 * checkedMetricsNamespace('AWS/Lambda'); // throws DeployParameterError naming metricsNamespace
 */
export function checkedMetricsNamespace(value: string): string {
  const problem = !namespacePattern.test(value)
    ? 'is not a CloudWatch namespace (1 to 255 of letters, digits, spaces and .-_/#:)'
    : value.startsWith(':')
      ? 'starts with ":", which a CloudWatch alarm refuses'
      : value.startsWith('AWS/')
        ? 'starts with "AWS/", which CloudWatch keeps for AWS’s own metrics'
        : undefined;
  if (problem) throw new DeployParameterError('metricsNamespace', `"${value}" ${problem}`);
  return value;
}

/**
 * Checks a log level, in any case; INFO when not given.
 *
 * @example
 * checkedLogLevel('debug'); // 'DEBUG'
 * checkedLogLevel('verbose'); // throws DeployParameterError naming logLevel
 */
export function checkedLogLevel(value: string | undefined): LogLevel {
  const text = (value ?? '').trim();
  if (text === '') return 'INFO';
  const level = logLevels.find((each) => each === text.toUpperCase());
  if (level === undefined)
    throw new DeployParameterError('logLevel', `"${text}" is not one of ${logLevels.join(', ')}`);
  return level;
}

/**
 * Checks the fraction of invocations logged at DEBUG: a number from 0 to 1; 0 when not given.
 *
 * @example
 * checkedSampleRate('0.05'); // 0.05
 * checkedSampleRate('5%'); // throws DeployParameterError naming debugSampleRate
 */
export function checkedSampleRate(value: string | undefined): number {
  const text = (value ?? '').trim();
  if (text === '') return 0;
  const rate = /^(?:\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (!(rate >= 0 && rate <= 1))
    throw new DeployParameterError('debugSampleRate', `"${text}" is not a number from 0 to 1`);
  return rate;
}
