const units: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `90d`, `12h`, `30m`, `45s`, `2w` in milliseconds; undefined for anything else. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{1,9})([smhdw])$/.exec(text.trim());
  return match ? Number(match[1]) * (units[match[2] as string] as number) : undefined;
}
