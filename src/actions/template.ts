import type { StewardEvent } from '../sources/steward-event.js';

const placeholder = /\$\{([a-zA-Z]+(?:\.[a-zA-Z0-9_-]+)*)\}/g;

/** The names a `${...}` placeholder in an action parameter may start with. */
export const templateRoots = [
  'id',
  'source',
  'name',
  'time',
  'account',
  'region',
  'resources',
  'eventSource',
  'actor',
  'error',
  'record',
] as const;

/** The placeholders of a parameter string whose first name is not one of `templateRoots`. */
export function unknownPlaceholders(template: string): string[] {
  const roots: readonly string[] = templateRoots;
  return [...template.matchAll(placeholder)]
    .map((match) => match[1] ?? '')
    .filter((path) => !roots.includes(path.split('.')[0] ?? ''));
}

/**
 * Replaces `${actor.arn}`-style placeholders with the event's values (`record.` reads the raw
 * record). A missing value renders as an empty string, so a tag is still written.
 */
export function renderTemplate(template: string, event: StewardEvent): string {
  if (!template.includes('${')) return template;
  return template.replace(placeholder, (_match, path: string) => {
    const [root, ...rest] = path.split('.');
    let value: unknown =
      root === 'record' ? event.raw : (event as unknown as Record<string, unknown>)[root ?? ''];
    for (const key of rest) {
      value =
        value !== null && typeof value === 'object'
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
