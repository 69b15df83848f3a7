import { escapeControls } from '../text/escape-controls.js';

const htmlEntities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text made inert in HTML, in element content and in quoted attribute values alike: `&`, `<`,
 * `>` and both quotes become entities, so no value can open a tag, end a `<style>` or leave an
 * attribute.
 *
 * @example
 * escapeHtml('<script>"x"</script>'); // '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEntities[char] ?? char);
}

/** How many characters of one value a page shows: enough for an ARN, a path, a message. */
export const maxShownLength = 300;

/**
 * A value from the report as the page shows it: cut to `maxLength` characters (saying how many
 * were left out), its control and bidirectional characters made visible (`\u202e`, as the
 * text output shows them, so a value cannot reorder what is around it), then HTML-escaped.
 *
 * @example
 * shownText('i-1\u202e<b>'); // 'i-1\\u202e&lt;b&gt;'
 * shownText('x'.repeat(1000)); // 300 × 'x', then '… (700 more characters)'
 */
export function shownText(value: string, maxLength = maxShownLength): string {
  if (value.length <= maxLength) return escapeHtml(escapeControls(value));
  // Cut between the halves of a surrogate pair would leave half a character.
  const end = /[\uD800-\uDBFF]/.test(value.charAt(maxLength - 1)) ? maxLength - 1 : maxLength;
  const rest = value.length - end;
  return `${escapeHtml(escapeControls(value.slice(0, end)))}… (${rest.toLocaleString('en-US')} more characters)`;
}

/**
 * An id for an element of the page made from a value of the report (a rule id): letters,
 * digits, `-` and `_` kept, anything else `-`, so it is safe in an attribute, a URL fragment and
 * a CSS selector, and stays the rule id for the ids the pack allows.
 *
 * @example
 * elementId('chart', 'ec2-running-without-owner'); // 'chart-ec2-running-without-owner'
 */
export function elementId(prefix: string, value: string): string {
  return `${prefix}-${value.slice(0, 100).replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

/**
 * `elementId` of each value, in order, made unique: a value whose id an earlier one took gets
 * `-2`, `-3`… (two rule ids that differ only in characters an id cannot hold).
 *
 * @example
 * uniqueElementIds('rule', ['a.b', 'a:b']); // ['rule-a-b', 'rule-a-b-2']
 */
export function uniqueElementIds(prefix: string, values: readonly string[]): string[] {
  const taken = new Set<string>();
  return values.map((value) => {
    const base = elementId(prefix, value);
    let id = base;
    for (let n = 2; taken.has(id); n += 1) id = `${base}-${n}`;
    taken.add(id);
    return id;
  });
}
