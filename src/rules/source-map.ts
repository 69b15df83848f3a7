import { isNode, type Document, type LineCounter } from 'yaml';
import type { RuleProblem } from './problems.js';

/** A step into a parsed rule document: a property name or a list index. */
export type PathSegment = string | number;

/**
 * Maps a path inside the parsed YAML back to a line and column of the file, so every problem
 * found in the parsed value points where the author wrote it.
 *
 * @example
 * const source = new SourceMap('rules/x.yaml', document, lines);
 * source.problem(['triggers', 0, 'events', 1], 'unknown event'); // { file, line: 9, column: 21, … }
 */
export class SourceMap {
  constructor(
    private readonly file: string,
    private readonly document: Document,
    private readonly lines: LineCounter,
  ) {}

  /**
   * A problem at `path`, or at its nearest ancestor present in the file; `atKey` points at the
   * property's key rather than its value (for a property that should not be there).
   */
  problem(path: readonly PathSegment[], message: string, atKey = false): RuleProblem {
    for (let depth = path.length; depth >= 0; depth--) {
      const offset = this.offsetOf(path.slice(0, depth), atKey && depth === path.length);
      if (offset !== undefined) {
        const { line, col } = this.lines.linePos(offset);
        return { file: this.file, line, column: col, message };
      }
    }
    return { file: this.file, line: 1, column: 1, message };
  }

  private offsetOf(path: readonly PathSegment[], atKey: boolean): number | undefined {
    if (atKey && path.length > 0) {
      const parent =
        path.length === 1 ? this.document.contents : this.document.getIn(path.slice(0, -1), true);
      if (isNode(parent) && 'items' in parent && Array.isArray(parent.items)) {
        for (const pair of parent.items as { key?: unknown }[]) {
          const key = pair.key;
          if (isNode(key) && 'value' in key && key.value === path[path.length - 1])
            return key.range?.[0];
        }
      }
    }
    const node = path.length === 0 ? this.document.contents : this.document.getIn(path, true);
    return isNode(node) ? node.range?.[0] : undefined;
  }
}
