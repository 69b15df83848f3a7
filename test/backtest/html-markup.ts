/** Elements HTML closes by itself: they have no end tag. */
const voidElements = new Set(['meta', 'br', 'hr', 'img', 'link', 'input', 'wbr']);

/** One start tag of a page: its name and attributes. */
export interface Tag {
  name: string;
  attributes: Record<string, string>;
  /** Where it starts in the page. */
  at: number;
}

/** Attributes as the page writes them: `name="value"`, the value holding no quote. */
const attribute = /\s+([a-zA-Z_:][\w:.-]*)="([^"<]*)"/y;

/**
 * The start tags of a page that must be well formed: every `<` opens a doctype, a comment-free
 * tag with double-quoted attributes, or an end tag; end tags close the element last opened
 * (void elements and `/>` aside); `<style>` and `<title>` hold text only. Any `<` that opens
 * nothing, an attribute that is not quoted, a stray quote or an unbalanced element is an error
 * naming its offset: what escaping got wrong shows here.
 *
 * @example
 * startTags('<p class="x">a &lt; b</p>'); // [{ name: 'p', attributes: { class: 'x' }, at: 0 }]
 */
export function startTags(page: string): Tag[] {
  const tags: Tag[] = [];
  const open: string[] = [];
  let at = page.indexOf('<');
  while (at >= 0) {
    if (page.startsWith('<!DOCTYPE html>', at)) {
      at = page.indexOf('<', at + 1);
      continue;
    }
    const end = /^<\/([a-zA-Z][\w-]*)>/.exec(page.slice(at, at + 100));
    if (end) {
      const name = end[1] ?? '';
      if (open.pop() !== name) throw new Error(`</${name}> at ${at} closes no open <${name}>`);
      at = page.indexOf('<', at + end[0].length);
      continue;
    }
    const start = /^<([a-zA-Z][\w-]*)/.exec(page.slice(at, at + 100));
    if (!start) throw new Error(`a "<" at ${at} opens no tag: ${page.slice(at, at + 40)}`);
    const name = start[1] ?? '';
    const attributes: Record<string, string> = {};
    let position = at + start[0].length;
    attribute.lastIndex = position;
    for (let match = attribute.exec(page); match; match = attribute.exec(page)) {
      attributes[match[1] ?? ''] = match[2] ?? '';
      position = attribute.lastIndex;
    }
    const close = /\s*(\/?)>/y;
    close.lastIndex = position;
    const closed = close.exec(page);
    if (!closed)
      throw new Error(`<${name}> at ${at} is not well formed: ${page.slice(at, at + 80)}`);
    tags.push({ name, attributes, at });
    if (closed[1] !== '/' && !voidElements.has(name)) open.push(name);
    let next = close.lastIndex;
    if (name === 'style' || name === 'title') {
      // Text only: the next `<` must be this element's end tag.
      next = page.indexOf('<', next);
      if (!page.startsWith(`</${name}>`, next)) throw new Error(`<${name}> at ${at} holds markup`);
    }
    at = page.indexOf('<', next);
  }
  if (open.length > 0) throw new Error(`elements left open: ${open.join(', ')}`);
  return tags;
}

/**
 * The markup inside the element with this id.
 *
 * @example
 * innerHtml('<div id="a"><div>x</div></div>', 'a'); // '<div>x</div>'
 */
export function innerHtml(page: string, id: string): string {
  const start = page.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no element with id "${id}"`);
  const tagEnd = page.indexOf('>', start);
  const name = /<([a-zA-Z][\w-]*)[^<]*$/.exec(page.slice(0, start))?.[1] ?? '';
  let depth = 1;
  const pattern = new RegExp(`<(/?)${name}\\b[^>]*?(/?)>`, 'g');
  pattern.lastIndex = tagEnd + 1;
  for (let match = pattern.exec(page); match; match = pattern.exec(page)) {
    if (match[2] === '/') continue;
    depth += match[1] === '/' ? -1 : 1;
    if (depth === 0) return page.slice(tagEnd + 1, match.index);
  }
  throw new Error(`element with id "${id}" is not closed`);
}

/**
 * Markup as text: tags dropped, entities left as written.
 *
 * @example
 * textOfHtml('<dt>Matches</dt><dd>19</dd>'); // 'Matches19'
 */
export function textOfHtml(markup: string): string {
  return markup.replace(/<[^>]*>/g, '');
}
