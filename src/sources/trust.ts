/**
 * Which channels steward believes as CloudTrail. EventBridge `aws.*` sources and CloudTrail's
 * own S3 layout need no configuration; a CloudWatch Logs group is CloudTrail's only when the
 * operator says so, because anyone allowed to write a line to a log group could otherwise
 * write a CloudTrail record into it.
 */

/** The variable that names the log groups CloudTrail delivers to, comma-separated. */
export const CLOUDTRAIL_LOG_GROUPS_VARIABLE = 'STEWARD_CLOUDTRAIL_LOG_GROUPS';

// CloudWatch Logs' own rule for a log group name.
const LOG_GROUP_NAME = /^[\w.\-/#]{1,512}$/;

/**
 * A trust setting that cannot be used, naming the setting and the entry.
 *
 * @example
 * throw new TrustConfigError('"arn:aws:logs:…" is not a log group name', 'STEWARD_CLOUDTRAIL_LOG_GROUPS');
 */
export class TrustConfigError extends Error {
  constructor(
    message: string,
    /** Where the setting came from: the variable, or the option. */
    readonly setting: string,
    options?: ErrorOptions,
  ) {
    super(`${setting}: ${message}`, options);
    this.name = 'TrustConfigError';
  }
}

/**
 * The log groups configured as CloudTrail's. A CloudTrail-shaped message from any other log
 * group is an ordinary log line. None by default.
 *
 * @example
 * const trust = new SourceTrust(['aws-cloudtrail-logs-123456789012']);
 * trust.isCloudTrailLogGroup('/var/log/secure'); // false
 */
export class SourceTrust {
  readonly cloudTrailLogGroups: ReadonlySet<string>;

  /** Throws `TrustConfigError` for a name CloudWatch Logs would not accept. */
  constructor(cloudTrailLogGroups: Iterable<string> = [], setting = 'cloudTrailLogGroups') {
    const groups = new Set<string>();
    for (const group of cloudTrailLogGroups) {
      if (!LOG_GROUP_NAME.test(group)) {
        throw new TrustConfigError(
          `${JSON.stringify(group)} is not a log group name (1 to 512 of letters, digits and _ . - / #)`,
          setting,
        );
      }
      groups.add(group);
    }
    this.cloudTrailLogGroups = groups;
  }

  /**
   * The trust `STEWARD_CLOUDTRAIL_LOG_GROUPS` configures: log group names, comma-separated,
   * blanks around them ignored.
   *
   * @example
   * SourceTrust.fromEnv({ STEWARD_CLOUDTRAIL_LOG_GROUPS: 'org-trail, aws-cloudtrail-logs' });
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): SourceTrust {
    const names = (env[CLOUDTRAIL_LOG_GROUPS_VARIABLE] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    return new SourceTrust(names, CLOUDTRAIL_LOG_GROUPS_VARIABLE);
  }

  /**
   * True when records in this log group are believed as CloudTrail.
   *
   * @example
   * if (trust.isCloudTrailLogGroup(message.logGroup)) believeRecords();
   */
  isCloudTrailLogGroup(logGroup: string): boolean {
    return this.cloudTrailLogGroups.has(logGroup);
  }
}

/**
 * Who handed steward the input. `aws`: a Lambda invocation's payload, believed as CloudTrail
 * only from the channels AWS alone can write. `operator`: a local file or a rule test's event,
 * the operator's own: CloudTrail log files and bare records in it are believed (delivery
 * `direct`); what it holds of another shape is held to that shape's channel.
 */
export type InputOrigin = 'aws' | 'operator';

/** How `decodeDocument` treats its input. */
export interface DecodeOptions {
  /** The log groups believed as CloudTrail's; none when absent. */
  trust?: SourceTrust;
  /** `operator` when absent. */
  origin?: InputOrigin;
}
