/**
 * A sweep's event written in a file, for rule tests and `steward run`: what one resource a
 * sweep found looks like, without the sweep. Only the operator's own input holds one (a local
 * file, a rule test's event): a sweep's events are made by steward's own describe calls, so a
 * Lambda payload, an SNS message or an SQS body that holds one is refused.
 *
 * ```json
 * {
 *   "sweep": { "rule": "sweep-instances-without-owner", "periodStart": "2026-12-01T00:00:00.000Z" },
 *   "kind": "ec2-instances",
 *   "account": "123456789012",
 *   "region": "us-east-1",
 *   "time": "2026-12-01T06:00:00.000Z",
 *   "described": { "InstanceId": "i-0123456789abcdef0", "State": { "Name": "running" }, "Tags": [] }
 * }
 * ```
 *
 * `described` is the resource as its describe call returns it (the AWS CLI prints the same
 * fields); a trail carries its GetTrailStatus answer as `TrailStatus`. `periodStart` may be left
 * out: the start of `time`'s day (UTC), a cron schedule's period.
 */
import { accountIdPattern, regionPattern } from '../aws-ids.js';
import { messageOf } from '../errors.js';
import { describeValue, isObject, stringAt, type JsonObject } from '../json/fields.js';
import type { SweepResourceKind } from '../rules/rule.js';
import type { SourceError, StewardEvent } from '../sources/steward-event.js';
import { periodStart } from './period.js';
import { resourceQueries } from './queries.js';
import { sweepEvent } from './sweep-event.js';

const dayMs = 86_400_000;

/**
 * True when the document is written as a sweep's event: a `sweep` object and a `described`
 * resource.
 *
 * @example
 * isSweepDocument({ sweep: { rule: 'r' }, kind: 'trails', described: {} }); // true
 */
export function isSweepDocument(value: JsonObject): boolean {
  return isObject(value.sweep) && 'described' in value;
}

/**
 * The event a sweep document describes, or the error that names what is wrong with it.
 *
 * @example
 * const event = decodeSweepDocument(JSON.parse(text), 'events/sweep/ec2-instance-without-owner.sweep.json');
 */
export function decodeSweepDocument(
  document: JsonObject,
  where: string,
): StewardEvent | SourceError {
  const fail = (message: string): SourceError => ({ message: `sweep event: ${message}`, where });
  const sweep = document.sweep as JsonObject;
  const rule = stringAt(sweep, 'rule');
  if (rule === undefined || rule === '')
    return fail('sweep.rule: expected the id of the rule that swept');
  const kind = stringAt(document, 'kind');
  const query = kind === undefined ? undefined : resourceQueries.get(kind as SweepResourceKind);
  if (query === undefined)
    return fail(
      `kind: expected one of ${[...resourceQueries.keys()].join(', ')}; got ${describeValue(document.kind)}`,
    );
  const account = stringAt(document, 'account');
  if (account === undefined || !accountIdPattern.test(account))
    return fail(`account: expected a 12-digit account id; got ${describeValue(document.account)}`);
  const region = stringAt(document, 'region');
  if (region === undefined || !regionPattern.test(region))
    return fail(
      `region: expected a region name such as us-east-1; got ${describeValue(document.region)}`,
    );
  const time = isoTime(document.time);
  if (time === undefined)
    return fail(`time: expected an ISO 8601 time; got ${describeValue(document.time)}`);
  let start: string;
  if (sweep.periodStart === undefined) start = periodStart(new Date(time), dayMs);
  else {
    const given = isoTime(sweep.periodStart);
    if (given === undefined || given > time)
      return fail(
        `sweep.periodStart: expected an ISO 8601 time no later than time; got ${describeValue(sweep.periodStart)}`,
      );
    start = given;
  }
  try {
    const found = query.found(document.described);
    return sweepEvent(query, found, { rule, account, region, time, periodStart: start });
  } catch (error) {
    return fail(`described: ${messageOf(error)}`);
  }
}

function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}
