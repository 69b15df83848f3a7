import { planOnly, recordInLedger, type Acting } from './acting.js';
import { FACTS_SESSION } from './client-pool.js';
import { forEachConcurrently, mapWithConcurrency } from './concurrency.js';
import { messageOf } from './errors.js';
import { ResourceStates } from './actions/origin-state.js';
import type { EvaluationContext, PipelineContext } from './pipeline-context.js';
import type {
  ActionReport,
  EventReport,
  MatchReport,
  ObjectReport,
  PipelineError,
  PipelineReport,
} from './report.js';
import type { CompiledRule } from './rules/rule.js';
import { decodeDocument, isSourceError, streamCloudTrailObject } from './sources/index.js';
import type { DecodedBatch, S3ObjectRef, StewardEvent } from './sources/steward-event.js';

export type * from './pipeline-context.js';
export type * from './report.js';
export { mustRedeliver } from './report.js';

/** How many events are in flight at once: enough to overlap ledger round trips, few enough to bound memory. */
const eventConcurrency = 16;

/** A log file with many bad records reports this many of them, then how many more there were. */
const inputErrorsPerObject = 100;

/**
 * The one path every event takes: decode, select candidate rules, evaluate, plan actions,
 * claim each in the ledger, execute or dry-run, record the outcome. The Lambda handlers call
 * this with what AWS delivered, which is believed as CloudTrail only from the channels AWS
 * alone writes (see `decodeDocument`); the CLI decodes its files itself and calls
 * `processBatch`.
 *
 * @example
 * const report = await runPipeline(JSON.parse(text), 'events/ec2-running.json', context);
 * console.log(report.events[0]?.matches);
 */
export async function runPipeline(
  input: unknown,
  where: string,
  context: PipelineContext,
): Promise<PipelineReport> {
  let batch: DecodedBatch;
  try {
    batch = decodeDocument(input, where, { trust: context.trust, origin: 'aws' });
  } catch (error) {
    batch = { events: [], objects: [], errors: [{ message: messageOf(error), where }] };
  }
  return processBatch(batch, context);
}

/**
 * The pipeline from an already decoded batch on. Never rejects: each event, and each step of
 * it, fails alone, with its error in the report, and the other events go on.
 *
 * @example
 * const report = await processBatch(await decodeEventFile('events/ec2-running.json'), runtime);
 */
export async function processBatch(
  batch: DecodedBatch,
  context: PipelineContext,
): Promise<PipelineReport> {
  return walkBatch(batch, context, recordInLedger(context));
}

/**
 * A what-if: the same evaluation as `processBatch`, and every action of a firing rule planned
 * (`planned`, with what it would do, in the mode a run with this context would take), with
 * nothing executed and nothing read from or written to the ledger. So it can be repeated at
 * will, and never reports `duplicate`; nor can it tell a stale state change from a fresh one.
 *
 * @example
 * const report = await planBatch(batch, { ruleIndex, clients, live: false, readObjects: false });
 * report.whatIf; // true
 */
export async function planBatch(
  batch: DecodedBatch,
  context: EvaluationContext,
): Promise<PipelineReport> {
  const report = await walkBatch(batch, context, planOnly(context));
  return { ...report, whatIf: true };
}

async function walkBatch(
  batch: DecodedBatch,
  context: EvaluationContext,
  acting: Acting,
): Promise<PipelineReport> {
  const errors: PipelineError[] = batch.errors.map((error) => ({ ...error, kind: 'input' }));
  for (const error of errors) context.observer?.inputError(error);
  const events = await mapWithConcurrency(batch.events, eventConcurrency, async (event) => {
    const { report, problems } = await processEvent(event, context, acting);
    errors.push(...problems);
    context.observer?.eventDone(event, report, problems);
    context.onEvent?.();
    return report;
  });
  const objects: ObjectReport[] = [];
  for (const object of batch.objects) {
    if (!context.readObjects) {
      objects.push({ ...object, read: false });
      continue;
    }
    const read = await processObject(object, context, acting, errors);
    objects.push(read.summary);
    for (const report of read.events) events.push(report);
  }
  const report = { events, errors, objects };
  context.observer?.batchDone(report);
  return report;
}

/**
 * Every record of one CloudTrail log file through the pipeline, at the pace the file is read.
 * Only the events that matched a rule or met a problem are kept in the report; the others are
 * counted.
 */
async function processObject(
  object: S3ObjectRef,
  context: EvaluationContext,
  acting: Acting,
  errors: PipelineError[],
): Promise<{ summary: ObjectReport; events: EventReport[] }> {
  const where = `s3://${object.bucket}/${object.key}`;
  const kept: { at: number; report: EventReport }[] = [];
  let records = 0;
  let unmatched = 0;
  let badRecords = 0;
  try {
    const stream = streamCloudTrailObject(object, await context.clients.home.s3());
    await forEachConcurrently(stream, eventConcurrency, async (record) => {
      const at = records++;
      if (isSourceError(record)) {
        badRecords += 1;
        const error: PipelineError = { ...record, kind: 'input' };
        // The report lists the first ones; the observer counts them all.
        if (badRecords <= inputErrorsPerObject) errors.push(error);
        context.observer?.inputError(error);
        return;
      }
      const { report, problems } = await processEvent(record, context, acting);
      errors.push(...problems);
      context.observer?.eventDone(record, report, problems);
      context.onEvent?.();
      if (report.matches.length === 0 && problems.length === 0) unmatched += 1;
      else kept.push({ at, report });
    });
  } catch (error) {
    const stopped: PipelineError = {
      kind: 'input',
      message: `reading stopped: ${messageOf(error)}`,
      where,
    };
    errors.push(stopped);
    context.observer?.inputError(stopped);
  }
  if (badRecords > inputErrorsPerObject)
    errors.push({
      kind: 'input',
      message: `${badRecords - inputErrorsPerObject} more records could not be decoded`,
      where,
    });
  kept.sort((a, b) => a.at - b.at);
  return {
    summary: { ...object, read: true, records, unmatched },
    events: kept.map(({ report }) => report),
  };
}

/**
 * One event through evaluation and its actions. Never throws: what goes wrong is a problem of
 * this event (or of one rule or action of it), and whatever could still be done was.
 */
async function processEvent(
  event: StewardEvent,
  context: EvaluationContext,
  acting: Acting,
): Promise<{ report: EventReport; problems: PipelineError[] }> {
  const problems: PipelineError[] = [];
  const matches: MatchReport[] = [];
  const where = `event ${event.id}`;
  try {
    const verdicts = await context.ruleIndex.match(event, {
      clients: context.clients.for(event.account, event.region, FACTS_SESSION),
      stubs: context.factStubs,
    });
    const firing: CompiledRule[] = [];
    for (const verdict of verdicts) {
      if (verdict.error !== undefined)
        problems.push({
          kind: 'evaluation',
          message: `rule ${verdict.rule.id} could not be evaluated: ${verdict.error}`,
          where,
          ...(verdict.transient ? { transient: true } : {}),
        });
      else if (verdict.fires) firing.push(verdict.rule);
    }
    const staleness = firing.length > 0 ? await acting.staleness(event) : {};
    if ('unavailable' in staleness) {
      problems.push({
        kind: 'unknown-outcome',
        message: `nothing was claimed: the ledger could not record the event's time (${staleness.unavailable}); the next delivery tries again`,
        where,
      });
      for (const rule of firing) matches.push({ rule: rule.id, actions: [] });
    } else {
      for (const rule of firing)
        matches.push(await processMatch(event, rule, staleness.stale, acting, problems));
    }
  } catch (error) {
    problems.push({ kind: 'internal', message: `processing stopped: ${messageOf(error)}`, where });
  }
  return {
    report: {
      id: event.id,
      ...(event.idDerived ? { idDerived: true } : {}),
      source: event.source,
      name: event.name,
      resources: event.resources,
      matches,
    },
    problems,
  };
}

/**
 * A firing rule's actions, one per target resource, in the rule's order; the states of the
 * resources they act from are read once for all of them. A backtest plans a match's actions
 * through it as `planBatch` does.
 *
 * @example
 * const match = await processMatch(event, rule, undefined, planOnly(context), problems);
 * match.actions[0]?.detail; // 'would stop i-0123…'
 */
export async function processMatch(
  event: StewardEvent,
  rule: CompiledRule,
  staleReason: string | undefined,
  acting: Acting,
  problems: PipelineError[],
): Promise<MatchReport> {
  const actions: ActionReport[] = [];
  const states = new ResourceStates();
  for (const planned of rule.actions) {
    let resources: string[];
    try {
      resources = planned.definition.targets(event, planned.params);
    } catch (error) {
      problems.push({
        kind: 'evaluation',
        message: `rule ${rule.id}: the targets of ${planned.definition.name} could not be found: ${messageOf(error)}`,
        where: `event ${event.id}`,
      });
      continue;
    }
    for (const resource of resources) {
      const { report, problem } = await acting.act({
        event,
        rule,
        planned,
        resource,
        earlier: actions,
        staleReason,
        states,
      });
      actions.push(report);
      if (problem) problems.push(problem);
    }
  }
  return { rule: rule.id, actions };
}
