import { executeAction } from './execute-action.js';
import type { ActionRequest, ActionResult, ExecutionContext } from './execution/request.js';
import { messageOf } from './errors.js';
import type { Ledger } from './ledger/ledger.js';
import { planAction } from './plan-action.js';
import { actionAnnotations, untraced } from './telemetry/tracing.js';
import type { EvaluationContext, PipelineContext } from './pipeline-context.js';
import type { StewardEvent } from './sources/steward-event.js';

/** Retries stop this long before the invocation would time out, to leave time to record outcomes. */
const deadlineMarginMs = 3_000;
/**
 * A claim's lease outlasts its invocation by this much: enough for a completion in flight to
 * land, far less than the minute before Lambda's first retry.
 */
const leaseMarginMs = 10_000;
/** Outside Lambda, how long one action may spend retrying. */
const defaultTimeBudgetMs = 60_000;

/**
 * What becomes of a firing rule's actions: claimed, executed or dry-run and recorded in the
 * ledger, or only planned (a what-if), with nothing read from or written to the ledger.
 */
export interface Acting {
  /** Whether the event is older than one already seen for its resource (see `stalenessOf`). */
  staleness(event: StewardEvent): Promise<{ stale?: string } | { unavailable: string }>;
  act(request: ActionRequest): Promise<ActionResult>;
}

/**
 * Actions claimed in the ledger, executed (or dry-run) and their outcomes recorded: what every
 * run but a what-if does.
 *
 * @example
 * const acting = recordInLedger(runtime);
 * const { report } = await acting.act({ event, rule, planned, resource, earlier: [] });
 */
export function recordInLedger(context: PipelineContext): Acting {
  const execution = executionContext(context);
  const tracing = context.tracing ?? untraced;
  return {
    staleness: (event) => stalenessOf(event, context.ledger),
    act: async (request) => {
      const started = performance.now();
      const result = await tracing.action(actionAnnotations(request), () =>
        executeAction(request, execution),
      );
      context.observer?.actionDone(request, result, performance.now() - started);
      return result;
    },
  };
}

/**
 * Actions only planned (a what-if): nothing executed, nothing read from or written to the
 * ledger, so no state change is known to be stale.
 *
 * @example
 * const { report } = await planOnly(context).act(request); // report.status === 'planned'
 */
export function planOnly(context: EvaluationContext): Acting {
  return {
    staleness: () => Promise.resolve({}),
    act: (request) => Promise.resolve(planAction(request, context)),
  };
}

function executionContext(context: PipelineContext): ExecutionContext {
  const remaining = context.remainingTimeMs?.();
  const now = Date.now();
  return {
    ledger: context.ledger,
    clients: context.clients,
    live: context.live,
    deadline:
      remaining === undefined
        ? () => Date.now() + defaultTimeBudgetMs
        : () => now + remaining - deadlineMarginMs,
    leaseUntil: remaining === undefined ? undefined : now + remaining + leaseMarginMs,
    owner: context.owner,
    inProgressWaitMs: context.inProgressWaitMs ?? 5_000,
    findingRetentionDays: context.findingRetentionDays ?? 365,
  };
}

/**
 * EventBridge does not deliver in order: a state change older than one already seen for the
 * instance is stale, and acting on it would undo what the newer one caused. When the ledger
 * cannot tell, nothing of the event may act.
 */
async function stalenessOf(
  event: StewardEvent,
  ledger: Ledger,
): Promise<{ stale?: string } | { unavailable: string }> {
  const instance = event.source === 'ec2-state' ? event.resources[0] : undefined;
  if (instance === undefined) return {};
  try {
    const verdict = await ledger.guards.observe(
      instance,
      event.time,
      event.id,
      ledger.retentionDays,
    );
    return verdict.allowed ? {} : { stale: verdict.reason };
  } catch (error) {
    return { unavailable: messageOf(error) };
  }
}
