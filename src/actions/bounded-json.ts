import { isPlainContainer, ownMember } from '../json/path.js';
/** How much of a value `boundedJson` writes. */
export interface JsonBounds {
  /** Containers nested deeper than this are written as `{…}` or `[…]`. */
  maxDepth: number;
  /** The most characters written, the truncation mark included. */
  maxLength: number;
}

/** Enough for any value a tag, a subject or a message needs, far below any AWS request limit. */
export const defaultJsonBounds: JsonBounds = { maxDepth: 20, maxLength: 4096 };

/** Ends a text cut at its length bound. */
export const truncationMark = '…(truncated)';

/**
 * Cuts a text to `maxLength` characters, the mark included, without splitting a surrogate pair.
 *
 * @example
 * boundedText('x'.repeat(10_000)).length; // 4096, ending in '…(truncated)'
 */
export function boundedText(text: string, maxLength: number = defaultJsonBounds.maxLength): string {
  if (text.length <= maxLength) return text;
  let end = Math.max(0, maxLength - truncationMark.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}${truncationMark}`;
}

/** A container being written: what closes it, and its next member with the text before it. */
interface Frame {
  close: string;
  next(): { prefix: string; value: unknown } | undefined;
}

function arrayFrame(items: unknown[]): Frame {
  let index = 0;
  return {
    close: ']',
    next: () =>
      index < items.length
        ? { prefix: index === 0 ? '' : ',', value: ownMember(items, String(index++)) ?? null }
        : undefined,
  };
}

function objectFrame(object: Record<string, unknown>): Frame {
  const keys = Object.keys(object);
  let index = 0;
  let written = 0;
  return {
    close: '}',
    next: () => {
      while (index < keys.length) {
        const key = keys[index++] as string;
        const value = ownMember(object, key);
        if (!isJsonValue(value)) continue;
        return { prefix: `${written++ === 0 ? '' : ','}${JSON.stringify(key)}:`, value };
      }
      return undefined;
    },
  };
}

function isJsonValue(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    isPlainContainer(value)
  );
}

/**
 * JSON of a value from an event, bounded in depth and length: a hostile record may nest
 * 100,000 deep (where `JSON.stringify` throws RangeError) or hold megabytes. Reads only own
 * enumerable data properties of plain objects and arrays; anything else is not JSON and is
 * left out, as `JSON.stringify` leaves out `undefined`. Written without recursion, and it stops
 * at the length bound instead of serializing the rest.
 *
 * @example
 * boundedJson({ a: [1, 'x'] }); // '{"a":[1,"x"]}'
 * boundedJson(deeplyNested, { maxDepth: 2, maxLength: 100 }); // '{"a":{"a":{…}}}'
 */
export function boundedJson(value: unknown, bounds: JsonBounds = defaultJsonBounds): string {
  const parts: string[] = [];
  let length = 0;
  const frames: Frame[] = [];
  const write = (text: string): void => {
    parts.push(text);
    length += text.length;
  };
  const writeValue = (member: unknown): void => {
    if (!isJsonValue(member)) {
      write('null');
    } else if (!isPlainContainer(member)) {
      // A string is cut before escaping: only its first maxLength characters can be shown.
      const scalar = typeof member === 'string' ? member.slice(0, bounds.maxLength) : member;
      write(JSON.stringify(scalar));
    } else if (frames.length >= bounds.maxDepth) {
      write(Array.isArray(member) ? '[…]' : '{…}');
    } else {
      write(Array.isArray(member) ? '[' : '{');
      frames.push(Array.isArray(member) ? arrayFrame(member) : objectFrame(member));
    }
  };
  writeValue(value);
  while (frames.length > 0 && length <= bounds.maxLength) {
    const frame = frames[frames.length - 1] as Frame;
    const member = frame.next();
    if (member === undefined) {
      write(frame.close);
      frames.pop();
    } else {
      write(member.prefix);
      writeValue(member.value);
    }
  }
  return boundedText(parts.join(''), bounds.maxLength);
}
