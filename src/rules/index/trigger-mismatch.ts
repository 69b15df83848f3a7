/**
 * Why a rule's triggers let an event pass by: for `steward explain`, which shows each listening
 * rule's conditions and, for a rule named with `--rule` that does not listen, this.
 */
import type { StewardEvent } from '../../sources/steward-event.js';
import type { CompiledRule, Trigger } from '../rule.js';
import { matchMismatch } from './record-match.js';

/**
 * One sentence per trigger of the rule saying why it does not let the event through, in the
 * order of the rule's triggers: the kind of event it listens to, or the first path of its
 * `match` and the values the record holds there.
 *
 * @example
 * triggerMismatches(rule, event);
 * // ['trigger 1: match detail.findings.Compliance.Status: the record holds "PASSED", not FAILED']
 */
export function triggerMismatches(rule: CompiledRule, event: StewardEvent): string[] {
  return rule.document.triggers.map(
    (trigger, index) => `trigger ${index + 1}: ${mismatch(trigger, event) ?? 'matches'}`,
  );
}

function mismatch(trigger: Trigger, event: StewardEvent): string | undefined {
  const kind = trigger.source === 'schedule' ? 'sweep' : trigger.source;
  if (kind !== event.source) return `listens to ${kind} events, not ${event.source}`;
  if (trigger.source === 'eventbridge') {
    if (!trigger.sources.includes(event.eventSource ?? ''))
      return `listens to ${list(trigger.sources)}, not ${quote(event.eventSource)}`;
    if (!trigger.detailTypes.includes(event.name))
      return `listens to ${list(trigger.detailTypes)}, not ${quote(event.name)}`;
    return matchSentence(trigger.match, event);
  }
  if (trigger.source === 'cloudtrail') {
    if (!trigger.events.includes('*') && !trigger.events.includes(event.name))
      return `listens to ${list(trigger.events)}, not ${quote(event.name)}`;
    if (trigger.eventSource !== undefined && trigger.eventSource !== event.eventSource)
      return `listens to ${trigger.eventSource}, not ${quote(event.eventSource)}`;
    if (event.error !== undefined && trigger.includeFailedCalls !== true)
      return `the call failed (${event.error.code}) and the trigger does not include failed calls`;
    return matchSentence(trigger.match, event);
  }
  if (trigger.source === 'ec2-state' && !(trigger.states as string[]).includes(event.name))
    return `listens to ${list(trigger.states)}, not ${quote(event.name)}`;
  return undefined;
}

function matchSentence(
  match: Record<string, string[]> | undefined,
  event: StewardEvent,
): string | undefined {
  const missed = match === undefined ? undefined : matchMismatch(match, event.raw);
  if (missed === undefined) return undefined;
  const found =
    missed.found.length === 0
      ? 'the record holds nothing there'
      : `the record holds ${missed.found
          .slice(0, 5)
          .map((value) => JSON.stringify(value))
          .join(', ')}${missed.found.length > 5 ? `, … (${missed.found.length})` : ''}`;
  return `match ${missed.path}: ${found}, not ${missed.values.join(', ')}`;
}

function list(values: readonly string[]): string {
  return values.join(', ');
}

function quote(value: string | undefined): string {
  return value === undefined ? 'none' : JSON.stringify(value);
}
