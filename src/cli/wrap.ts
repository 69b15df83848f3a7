import { escapeControls } from './escape.js';

/** How wide the discovery commands' output may be: readable in a terminal of 100 columns. */
export const outputWidth = 100;

/**
 * Words of `text` in lines of at most `width` characters (a longer word stands alone).
 *
 * @example
 * wrapWords('one two three', 7); // ['one two', 'three']
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

/**
 * Each line of `text` kept within `width`, a wrapped line going on two spaces deeper than it
 * began, so a long `fields: …` stays readable as one entry.
 *
 * @example
 * wrapLines('fields: a, b, c', 12); // 'fields: a,\n  b, c'
 */
export function wrapLines(text: string, width = outputWidth): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.length <= width) return line;
      const indent = ' '.repeat(line.length - line.trimStart().length);
      const [first = '', ...rest] = wrapWords(line, width - indent.length);
      const hanging = `${indent}  `;
      return [
        `${indent}${first}`,
        ...wrapWords(rest.join(' '), width - hanging.length).map((part) => `${hanging}${part}`),
      ].join('\n');
    })
    .join('\n');
}

/**
 * Left-aligned columns whose last column wraps to keep each row within `width`, its
 * continuation lines under the column's start. Cells are escaped as `table` escapes them.
 *
 * @example
 * output.out(wrappedTable([['NAME', 'WHAT'], ['equal', 'the value is exactly the given one']]));
 */
export function wrappedTable(cells: string[][], width = outputWidth): string {
  const rows = cells.map((row) => row.map(escapeControls));
  const leading = (rows[0]?.length ?? 1) - 1;
  const widths = Array.from({ length: leading }, (_, column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );
  const start = widths.reduce((sum, columnWidth) => sum + columnWidth + 2, 0);
  const room = Math.max(width - start, 30);
  return rows
    .flatMap((row) => {
      const prefix = widths.map((columnWidth, column) => (row[column] ?? '').padEnd(columnWidth));
      const [first = '', ...rest] = wrapWords(row[leading] ?? '', room);
      return [
        [...prefix, first].join('  ').trimEnd(),
        ...rest.map((part) => `${' '.repeat(start)}${part}`),
      ];
    })
    .join('\n');
}
