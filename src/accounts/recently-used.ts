/**
 * Sets `key` in a map kept to `max` entries, dropping the least recently added one (or, for a
 * caller that deletes and sets again what it uses, the least recently used one).
 *
 * @example
 * const sessions = new Map<string, Session>();
 * remember(sessions, '222233334444|rule@event', {}, 256);
 */
export function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}
