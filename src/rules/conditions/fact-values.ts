import type { StewardEvent } from '../../sources/steward-event.js';
import { eventFacts } from '../facts.js';

/**
 * What compiled conditions read for one event: the event itself, its `event` fact (made only
 * when a condition reads it whole), and the lazy facts' values once fetched.
 *
 * @example
 * const values = new FactValues(event);
 * condition.evaluate(values); // reads values.event.raw, values.view(), values.lazy
 */
export class FactValues {
  private eventView?: Record<string, unknown>;
  /** Lazy fact values once fetched, by fact name (made for the first rule that reads one). */
  lazy?: Map<string, unknown>;

  constructor(readonly event: StewardEvent) {}

  /** The `event` fact: the event without `raw`. */
  view(): Record<string, unknown> {
    this.eventView ??= eventFacts(this.event).event as Record<string, unknown>;
    return this.eventView;
  }
}
