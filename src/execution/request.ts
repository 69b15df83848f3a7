import type { ActionContext } from '../actions/action.js';
import { noHistory } from '../actions/history.js';
import type { ResourceStates } from '../actions/origin-state.js';
import type { AwsClients } from '../aws-clients.js';
import { sessionName } from '../accounts/session-name.js';
import type { ClientPool } from '../client-pool.js';
import type { LedgerMode } from '../ledger/entry.js';
import type { Ledger } from '../ledger/ledger.js';
import type { ClaimDetails } from '../ledger/writes.js';
import type { ClaimOwner } from '../ledger/owner.js';
import type { ActionReport, PipelineError } from '../report.js';
import type { CompiledRule, PlannedAction } from '../rules/rule.js';
import type { StewardEvent } from '../sources/steward-event.js';
import { ledgerHistory } from './history.js';

/** What executing one action needs from the pipeline. */
export interface ExecutionContext {
  ledger: Ledger;
  clients: ClientPool;
  live: boolean;
  /** Epoch ms after which no claim is taken and no retry starts, asked when it matters. */
  deadline: () => number;
  /**
   * Epoch ms when claims' leases end: in Lambda, the invocation's end plus a margin, so the next
   * delivery can always take over. Undefined: the ledger's default lease.
   */
  leaseUntil?: number;
  /** This process, recorded with claims outside Lambda so a later process can take them over. */
  owner?: ClaimOwner;
  /** How long a concurrent delivery waits for the claim holder's outcome before reporting it in progress. */
  inProgressWaitMs: number;
  /** How long audit findings are kept. */
  findingRetentionDays: number;
}

/** One planned action on one resource of one event, as the pipeline hands it over. */
export interface ActionRequest {
  event: StewardEvent;
  rule: CompiledRule;
  planned: PlannedAction;
  resource: string;
  /** The rule's actions that ran before this one on this event. */
  earlier: readonly ActionReport[];
  /** Set when the event is older than one already seen for its resource. */
  staleReason?: string;
  /**
   * The states of the resources the rule's actions act on in this event, read once and shared
   * by them; a fresh one when absent.
   */
  states?: ResourceStates;
}

/** One action's report, and what kept it from completing, if anything did. */
export interface ActionResult {
  report: ActionReport;
  problem?: PipelineError;
}

/**
 * What the ledger keeps about one action beside its outcome.
 *
 * @example
 * const details = claimDetailsOf(request, 'enforce', context);
 * const claim = await context.ledger.claim(details);
 */
export function claimDetailsOf(
  { event, rule, planned, resource }: ActionRequest,
  mode: LedgerMode,
  context: ExecutionContext,
): ClaimDetails {
  return {
    mode,
    eventId: event.id,
    ruleId: rule.id,
    action: planned.definition.name,
    resource,
    source: event.source,
    eventName: event.name,
    eventTime: event.time,
    severity: rule.document.severity,
    actor: event.actor?.arn ?? event.actor?.invokedBy,
    account: event.account,
    region: event.region ?? context.clients.region,
    retentionDays: planned.definition.recordsFindings ? context.findingRetentionDays : undefined,
    leaseUntil: context.leaseUntil,
    owner: context.owner,
    ...(event.idDerived ? { idDerived: true } : {}),
  };
}

/**
 * Where an action's problems are reported: its event, rule, action and resource.
 *
 * @example
 * whereOf(request); // 'event 3a1c…, rule ec2-open-ssh, action ec2.revoke-security-group-ingress on sg-0123'
 */
export function whereOf({ event, rule, planned, resource }: ActionRequest): string {
  return `event ${event.id}, rule ${rule.id}, action ${planned.definition.name} on ${resource}`;
}

/**
 * What the action itself sees of the request: its event, rule, resource and parameters, the
 * clients of the event's account and region, and the ledger's history there (none for a plan,
 * which reads no ledger).
 *
 * @example
 * const outcome = await planned.definition.execute(actionContextOf(request, context, claim.key));
 */
export function actionContextOf(
  request: ActionRequest,
  context: Pick<ExecutionContext, 'clients'> & { ledger?: Ledger },
  key: string,
): ActionContext {
  const { event, rule, planned, resource } = request;
  let clients: AwsClients | undefined;
  // Where the ledger says the event's actions acted, as `claimDetailsOf` records it.
  const history =
    context.ledger === undefined
      ? noHistory
      : ledgerHistory(context.ledger, event.account ?? '-', event.region ?? context.clients.region);
  return {
    event,
    rule: {
      id: rule.id,
      severity: rule.document.severity,
      kind: rule.document.kind,
      description: rule.document.description,
    },
    resource,
    params: planned.params,
    // Made when the action first calls AWS: a plan, a finding or a skip never does, and a
    // member account's session for every one of them would push the facts' session out of
    // the pool.
    get clients() {
      clients ??= context.clients.for(event.account, event.region, sessionName(rule.id, event.id));
      return clients;
    },
    home: context.clients.home,
    key,
    earlier: request.earlier,
    history,
  };
}
