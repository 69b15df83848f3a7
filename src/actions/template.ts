import { eventFields, type StewardEvent } from '../sources/steward-event.js';
import { isPlainContainer, ownMember, readPath } from '../json/path.js';
import { boundedJson, boundedText } from './bounded-json.js';

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
 * record). A missing value renders as an empty string, so a tag is still written. Each name
 * reads an own data property of a plain object or array, never the prototype
 * (`${record.constructor}` renders empty); an object or list renders as JSON bounded in depth
 * and length, and every value is cut at the length bound.
 *
 * @example
 * renderTemplate('launched by ${actor.arn}', event); // 'launched by arn:aws:iam::…:user/alice'
 */
export function renderTemplate(template: string, event: StewardEvent): string {
  if (!template.includes('${')) return template;
  return template.replace(placeholder, (_match, path: string) => {
    const [root = '', ...rest] = path.split('.');
    // A plain copy of the event's fields, its derived ones included, however it was built.
    const value = readPath(
      root === 'record' ? event.raw : ownMember(eventFields(event), root),
      rest,
    );
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return boundedText(String(value));
    }
    return isPlainContainer(value) ? boundedJson(value) : '';
  });
}
