import type { StewardEvent } from '../../sources/steward-event.js';
import type { Candidate } from './narrowing.js';

/**
 * The candidates filed under a `startsWith` prerequisite, by prefix, the way AWS Event Ruler
 * matches prefixes: an event is looked up by the start of its value at each length a prefix
 * has, so it reaches only the rules whose prefix its value starts with, whatever their number.
 *
 * @example
 * const filing = new PrefixFiling(read, new Map([['arn:aws:sts::111:assumed-role/Admin/', run]]));
 * filing.visit(event, matching); // the run, for an event whose actor ARN starts so
 */
export class PrefixFiling {
  /** The lengths of the prefixes, shortest first: one lookup each. */
  private readonly lengths: readonly number[];

  constructor(
    private readonly read: (event: StewardEvent) => unknown,
    private readonly byPrefix: ReadonlyMap<string, Candidate>,
  ) {
    this.lengths = [...new Set([...byPrefix.keys()].map((prefix) => prefix.length))].sort(
      (a, b) => a - b,
    );
  }

  /** Hands `visitor` the run of each prefix the event's value starts with. */
  visit(event: StewardEvent, visitor: { run(first: Candidate): void }): void {
    const value = this.read(event);
    if (typeof value === 'string') {
      for (const length of this.lengths) {
        if (length > value.length) return;
        const filed = this.byPrefix.get(value.slice(0, length));
        if (filed !== undefined) visitor.run(filed);
      }
    } else if (Array.isArray(value)) {
      // A list meets `startsWith` when one of its strings does; each run is handed over once.
      for (const [prefix, filed] of this.byPrefix)
        if (value.some((item) => typeof item === 'string' && item.startsWith(prefix)))
          visitor.run(filed);
    }
  }
}
