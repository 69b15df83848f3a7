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
