import { didYouMean } from './did-you-mean.js';
import type { EventCatalog } from './event-catalog/catalog.js';
import type { RuleDocument } from './rule.js';
import type { PathSegment } from './source-map.js';

/** Something a rule's CloudTrail trigger names that CloudTrail never logs, and where. */
export interface TriggerEventProblem {
  path: PathSegment[];
  message: string;
}

const escapeHatch = 'allowUnknownEvents: true accepts it';

/**
 * True when the rule names CloudTrail event sources or event names that the event catalog
 * should check: it has a CloudTrail trigger and does not set `allowUnknownEvents: true`.
 *
 * @example
 * if (checksTriggerEvents(rule)) problems.push(...triggerEventProblems(rule, await eventCatalogFiles.load()));
 */
export function checksTriggerEvents(rule: RuleDocument): boolean {
  return (
    rule.allowUnknownEvents !== true &&
    rule.triggers.some((trigger) => trigger.source === 'cloudtrail')
  );
}

function suggestion(nearest: string | undefined): string {
  return nearest === undefined ? '' : `; did you mean "${nearest}"?`;
}

/**
 * The event sources and event names of the rule's CloudTrail triggers that the catalog does
 * not know: an EventBridge rule for them would never fire. Each says what the nearest known
 * name is, or which sources emit an event named under the wrong source.
 *
 * @example
 * triggerEventProblems(rule, catalog);
 * // [{ path: ['triggers', 0, 'events', 0], message: '"DeleteLogGrup" is not an event of logs.amazonaws.com; did you mean "DeleteLogGroup"? …' }]
 */
export function triggerEventProblems(
  rule: RuleDocument,
  catalog: EventCatalog,
): TriggerEventProblem[] {
  const problems: TriggerEventProblem[] = [];
  rule.triggers.forEach((trigger, index) => {
    if (trigger.source !== 'cloudtrail') return;
    const { eventSource } = trigger;
    if (eventSource !== undefined && !catalog.hasSource(eventSource)) {
      problems.push({
        path: ['triggers', index, 'eventSource'],
        message: `unknown event source "${eventSource}"${suggestion(didYouMean(eventSource, catalog.sourceNames()))} (${escapeHatch})`,
      });
      return;
    }
    trigger.events.forEach((name, position) => {
      if (name === '*' || catalog.emits(eventSource, name)) return;
      const path = ['triggers', index, 'events', position];
      if (eventSource === undefined) {
        problems.push({
          path,
          message: `no event source emits a CloudTrail event "${name}"${suggestion(didYouMean(name, catalog.allNames()))} (${escapeHatch})`,
        });
        return;
      }
      const elsewhere = catalog.sourcesOf(name);
      const hint =
        elsewhere.length > 0
          ? `; it is an event of ${elsewhere.join(', ')}`
          : suggestion(didYouMean(name, catalog.namesOf(eventSource)));
      problems.push({
        path,
        message: `"${name}" is not an event of ${eventSource}${hint} (${escapeHatch})`,
      });
    });
  });
  return problems;
}
