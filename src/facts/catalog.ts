import { eventFact, recordFact } from './event-facts.js';
import type { FactDescription } from './fact-description.js';
import { instanceFact } from './instance.js';
import { launchedByFact } from './launched-by.js';
import type { LazyFact } from './lazy-fact.js';
import { logGroupFact } from './log-group.js';
import { securityGroupFact } from './security-group.js';
import { trailFact } from './trail.js';

/** Every lazy fact a condition may read, by name. */
export const lazyFacts: ReadonlyMap<string, LazyFact> = new Map(
  [instanceFact, securityGroupFact, launchedByFact, trailFact, logGroupFact].map((fact) => [
    fact.name,
    fact,
  ]),
);

/**
 * Every fact a condition may name, the event's own first, then the lazy ones: what the rule
 * loader accepts, `steward facts` lists and the rule schema enumerates.
 *
 * @example
 * [...factCatalog.keys()]; // ['event', 'record', 'instance', 'securityGroup', …]
 */
export const factCatalog: ReadonlyMap<string, FactDescription> = new Map(
  [eventFact, recordFact, ...lazyFacts.values()].map((fact) => [fact.name, fact]),
);
