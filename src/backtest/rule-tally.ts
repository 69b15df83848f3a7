import type { ActionReport } from '../report.js';
import type { CompiledRule } from '../rules/rule.js';
import type { Actor, StewardEvent } from '../sources/steward-event.js';
import { ValueCounter } from './counted-values.js';
import { maxSamplesKept, type RuleResult, type SampleEvent } from './report.js';

const dayMs = 86_400_000;

/** A match kept as a sample candidate, explained only if it is still among the first at the end. */
interface Candidate {
  event: StewardEvent;
  time: number;
  where: string;
  actions: readonly ActionReport[];
}

function candidateOrder(a: Candidate, b: Candidate): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.event.id !== b.event.id) return a.event.id < b.event.id ? -1 : 1;
  return a.where < b.where ? -1 : a.where > b.where ? 1 : 0;
}

/**
 * Who an event's actor is in a report: the principal ARN, or `type:principalId` (the calling
 * service for an AWS service); undefined when the record says neither.
 *
 * @example
 * actorKey({ type: 'Root', principalId: '111122223333', mfaUsed: false }); // 'Root:111122223333'
 */
export function actorKey(actor: Actor | undefined): string | undefined {
  if (actor === undefined) return undefined;
  if (actor.arn !== undefined) return actor.arn;
  const id = actor.principalId ?? actor.invokedBy;
  return actor.type === undefined || id === undefined ? undefined : `${actor.type}:${id}`;
}

/**
 * What one rule did over one log file, counted as its matches come: the report's `RuleResult`
 * for the file once `result` explains the samples kept. Holds the events of at most
 * `maxSamplesKept` matches.
 *
 * @example
 * const tally = new RuleTally(rule);
 * tally.matched(event, Date.parse(event.time), match.actions, 'x.json.gz: Records[3]');
 * const result = await tally.result((event) => explain(event, rule));
 */
export class RuleTally {
  private matches = 0;
  private readonly planned = new Map<string, number>();
  private readonly resources = new ValueCounter();
  private readonly actors = new ValueCounter();
  private firstSeen = Infinity;
  private lastSeen = -Infinity;
  /** Matches by UTC day, as days since the epoch. */
  private readonly days = new Map<number, number>();
  private needsLiveState = 0;
  private readonly liveFacts = new Set<string>();
  private evaluationErrors = 0;
  private readonly candidates: Candidate[] = [];

  constructor(readonly rule: CompiledRule) {}

  /** A match of the event at `time` (epoch ms), read at `where`, with its planned actions. */
  matched(
    event: StewardEvent,
    time: number,
    actions: readonly ActionReport[],
    where: string,
  ): void {
    this.matches += 1;
    const resources = new Set<string>();
    for (const action of actions) {
      if (action.status === 'planned')
        this.planned.set(action.action, (this.planned.get(action.action) ?? 0) + 1);
      resources.add(action.resource);
    }
    for (const resource of resources) this.resources.add(resource);
    const actor = actorKey(event.actor);
    if (actor !== undefined) this.actors.add(actor);
    if (time < this.firstSeen) this.firstSeen = time;
    if (time > this.lastSeen) this.lastSeen = time;
    const day = Math.floor(time / dayMs);
    this.days.set(day, (this.days.get(day) ?? 0) + 1);
    this.keepCandidate({ event, time, where, actions });
  }

  /** The rule could not be decided on an event without this lazy fact. */
  neededLiveState(fact: string): void {
    this.needsLiveState += 1;
    this.liveFacts.add(fact);
  }

  /** The rule could not be evaluated on an event, or its actions not planned. */
  failed(): void {
    this.evaluationErrors += 1;
  }

  /** The rule's result over the file, each sample with `explain`'s lines for its event. */
  async result(explain: (event: StewardEvent) => Promise<string[]>): Promise<RuleResult> {
    const samples: SampleEvent[] = [];
    for (const candidate of this.candidates)
      samples.push(sampleOf(candidate, await explain(candidate.event)));
    const seen =
      this.matches === 0
        ? {}
        : {
            firstSeen: new Date(this.firstSeen).toISOString(),
            lastSeen: new Date(this.lastSeen).toISOString(),
          };
    return {
      rule: this.rule.id,
      mode: this.rule.mode,
      matches: this.matches,
      plannedActions: Object.fromEntries([...this.planned].sort(([a], [b]) => (a < b ? -1 : 1))),
      resources: this.resources.counted(),
      actors: this.actors.counted(),
      ...seen,
      perDay: Object.fromEntries(
        [...this.days]
          .sort(([a], [b]) => a - b)
          .map(([day, count]) => [new Date(day * dayMs).toISOString().slice(0, 10), count]),
      ),
      needsLiveState: this.needsLiveState,
      liveFacts: [...this.liveFacts].sort(),
      evaluationErrors: this.evaluationErrors,
      samples,
    };
  }

  private keepCandidate(candidate: Candidate): void {
    const kept = this.candidates;
    if (kept.length === maxSamplesKept) {
      if (candidateOrder(candidate, kept[kept.length - 1] as Candidate) >= 0) return;
      kept.pop();
    }
    let at = kept.length;
    while (at > 0 && candidateOrder(candidate, kept[at - 1] as Candidate) < 0) at -= 1;
    kept.splice(at, 0, candidate);
  }
}

function sampleOf(candidate: Candidate, explanation: string[]): SampleEvent {
  const { event, time, where, actions } = candidate;
  const actor = actorKey(event.actor);
  return {
    id: event.id,
    time: new Date(time).toISOString(),
    name: event.name,
    ...(event.account === undefined ? {} : { account: event.account }),
    ...(event.region === undefined ? {} : { region: event.region }),
    resources: [...event.resources],
    ...(actor === undefined ? {} : { actor }),
    where,
    explanation,
    planned: actions.map(({ action, resource, detail }) => ({
      action,
      resource,
      ...(detail === undefined ? {} : { detail }),
    })),
  };
}
