const units: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Durations already parsed: a rule's `olderThan: 90d` is read on every event it sees. */
const parsedDurations = new Map<string, number | undefined>();

/** `90d`, `12h`, `30m`, `45s`, `2w` in milliseconds; undefined for anything else. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (parsedDurations.has(text)) return parsedDurations.get(text);
  const match = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  const duration = match ? Number(match[1]) * (units[match[2] as string] as number) : undefined;
  // Bounded: a condition may compare against a fact's value, which comes from outside.
  if (parsedDurations.size >= 1024) parsedDurations.clear();
  parsedDurations.set(text, duration);
  return duration;
}
