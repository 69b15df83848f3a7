/**
 * Control characters (C0, DEL, C1), bidirectional controls (U+202E and the like) and the
 * Unicode line and paragraph separators: what can move the cursor, end a line, recolor the
 * terminal or reorder what it shows.
 */
const unsafeForTerminal = /[\p{Cc}\p{Bidi_Control}\p{Zl}\p{Zp}]/gu;

const shortEscapes: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from events and the ledger made safe to show on a terminal or in a report: each control
 * character becomes a visible escape (`\n`, `\u001b`, `\u202e`), so an event field can neither
 * forge an output line nor hide or reorder what is shown. Everything else, backslashes
 * included, is left as it is, so ordinary values show unchanged. Only for text; JSON output
 * is JSON.
 *
 * @example
 * escapeControls('i-1\n\u001b[2Jrule ok\u202e'); // 'i-1\\n\\u001b[2Jrule ok\\u202e'
 */
export function escapeControls(text: string): string {
  return text.replace(
    unsafeForTerminal,
    (char) => shortEscapes[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
