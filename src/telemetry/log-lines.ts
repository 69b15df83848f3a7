/**
 * The fields of steward's own log lines (`LogFields`), from what the pipeline tells: one line
 * per action outcome, one per error. The function's name and the request id are the logger's,
 * on every line.
 */
import type { ActionRequest, ActionResult } from '../execution/request.js';
import type { ActionStatus, PipelineError } from '../report.js';
import type { LogFields } from './names.js';

/** A line's fields beside the logger's own. */
export type LineFields = Omit<LogFields, 'function'>;

/** Where the function runs: the account and region of an event that names none. */
export interface HomePlace {
  account?: string;
  region?: string;
}

/** Outcomes an operator should look at: logged at WARN, the others at INFO. */
const warningStatuses: ReadonlySet<ActionStatus> = new Set(['failed', 'unknown', 'deferred']);

/**
 * The level of an action outcome's line.
 *
 * @example
 * outcomeLevel('failed'); // 'warn'
 */
export function outcomeLevel(status: ActionStatus): 'info' | 'warn' {
  return warningStatuses.has(status) ? 'warn' : 'info';
}

/**
 * Milliseconds to a tenth: finer says nothing about a network call.
 *
 * @example
 * roundedMs(12.3456); // 12.3
 */
export function roundedMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * The fields of one action's outcome line.
 *
 * @example
 * logger.info('action outcome', actionOutcomeFields(request, result, 12.3, { region: 'us-east-1' }));
 */
export function actionOutcomeFields(
  { event, rule, planned, resource }: ActionRequest,
  { report }: ActionResult,
  elapsedMs: number,
  home: HomePlace,
): LineFields {
  return {
    eventId: event.id,
    source: event.source,
    eventName: event.name,
    ...placeOf(event.account ?? home.account, event.region ?? home.region),
    rule: rule.id,
    action: planned.definition.name,
    resource,
    status: report.status,
    mode: report.mode,
    ledgerKey: report.key,
    ...(report.detail === undefined ? {} : { detail: report.detail }),
    ...(report.retries === undefined ? {} : { retries: report.retries }),
    latencyMs: roundedMs(elapsedMs),
  };
}

/**
 * The fields of one error's line: its kind, where and message, and the event, rule and action
 * it belongs to when they are known.
 *
 * @example
 * logger.error('steward error', errorFields(problem, { eventId: event.id }));
 */
export function errorFields(
  error: PipelineError,
  known: { eventId?: string; request?: ActionRequest } = {},
): LineFields {
  const { request } = known;
  const eventId = request?.event.id ?? known.eventId;
  return {
    kind: error.kind,
    where: error.where,
    error: error.message,
    ...(eventId === undefined ? {} : { eventId }),
    ...(request === undefined
      ? {}
      : {
          rule: request.rule.id,
          action: request.planned.definition.name,
          resource: request.resource,
        }),
  };
}

function placeOf(account: string | undefined, region: string | undefined): LineFields {
  return {
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
  };
}
