import type { DecodedBatch, SourceError, StewardEvent } from './steward-event.js';

/** A batch with nothing in it yet. */
export function emptyBatch(): DecodedBatch {
  return { events: [], errors: [], objects: [] };
}

/** A batch holding a single error. */
export function errorBatch(message: string, where: string): DecodedBatch {
  return { events: [], errors: [{ message, where }], objects: [] };
}

/** Tells a decoder's error result from its event or object; only `SourceError` carries `where`. */
export function isSourceError<T extends object>(result: T | SourceError): result is SourceError {
  return 'where' in result;
}

/** Adds one decoder result to the batch as an event or an error. */
export function addResult(batch: DecodedBatch, result: StewardEvent | SourceError): void {
  if (isSourceError(result)) batch.errors.push(result);
  else batch.events.push(result);
}

/** Appends everything in `from` to `into`; `push(...)` is avoided because huge batches overflow the argument stack. */
export function mergeBatch(into: DecodedBatch, from: DecodedBatch): void {
  for (const event of from.events) into.events.push(event);
  for (const error of from.errors) into.errors.push(error);
  for (const object of from.objects) into.objects.push(object);
}
