/**
 * The edit distance between two words, ignoring case, or `undefined` once it exceeds `limit`
 * (so comparing a word against thousands of names stays cheap).
 *
 * @example
 * editDistance('DeleteLogGrup', 'deleteloggroup', 3); // 1
 * editDistance('StopLogging', 'CreateTrail', 3); // undefined
 */
export function editDistance(a: string, b: string, limit: number): number | undefined {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  if (Math.abs(left.length - right.length) > limit) return undefined;
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= right.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      const value = Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1);
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return undefined;
    previous = current;
  }
  const distance = previous[right.length] ?? 0;
  return distance <= limit ? distance : undefined;
}

/**
 * The candidate nearest to a mistyped `word` (case-insensitive edit distance), if one is near
 * enough to be what was meant: a quarter of the word's length, at least 2. Ties go to the
 * candidate that sorts first, so the suggestion is stable.
 *
 * @example
 * didYouMean('log.amazonaws.com', ['logs.amazonaws.com', 'lambda.amazonaws.com']); // 'logs.amazonaws.com'
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let limit = Math.max(2, Math.floor(word.length / 4));
  let nearest: string | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate, limit);
    if (distance === undefined) continue;
    if (nearest === undefined || distance < limit || (distance === limit && candidate < nearest)) {
      nearest = candidate;
      limit = distance;
    }
  }
  return nearest;
}
