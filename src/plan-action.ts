import { actionContextOf, type ActionRequest, type ActionResult } from './execution/request.js';
import { messageOf } from './errors.js';
import { ledgerKey, type LedgerMode } from './ledger/entry.js';
import type { ClientPool } from './client-pool.js';

/** What planning an action needs: no ledger, and no AWS call unless the action's `describe` makes one. */
export interface PlanContext {
  clients: ClientPool;
  /** Whether the run planned for would execute enforced rules' actions. */
  live: boolean;
}

/**
 * One action planned and not taken: `planned`, with what it would do, the mode a run would
 * take it in and the ledger key it would have, so a later `steward ledger show` finds it once
 * it is done. A plan that cannot be described is `failed`, as in a dry run.
 *
 * @example
 * const { report } = planAction({ event, rule, planned, resource, earlier: [] }, { clients, live: false });
 * report.detail; // 'would tag i-0123 with steward:created-by=…'
 */
export function planAction(request: ActionRequest, context: PlanContext): ActionResult {
  const { event, rule, planned, resource } = request;
  const action = planned.definition.name;
  const mode: LedgerMode = rule.mode === 'enforce' && context.live ? 'enforce' : 'dry-run';
  const key = ledgerKey({ mode, eventId: event.id, ruleId: rule.id, action, resource });
  const report = { action, resource, key, mode };
  try {
    const detail = `would ${planned.definition.describe(actionContextOf(request, context, key))}`;
    return { report: { ...report, status: 'planned', detail } };
  } catch (error) {
    const detail = `${action} could not describe its plan for ${resource}: ${messageOf(error)}`;
    return {
      report: { ...report, status: 'failed', detail },
      problem: {
        kind: 'action',
        message: detail,
        where: `event ${event.id}, rule ${rule.id}, action ${action} on ${resource}`,
      },
    };
  }
}
