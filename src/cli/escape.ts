import { escapeControls } from '../text/escape-controls.js';

// The CLI's modules take both escapes from here; the one for a line lives in src/text/, where
// the backtest's HTML report shares it.
export { escapeControls };

/**
 * `escapeControls` for a message meant to span lines (a usage text, a list of problems): each
 * line is escaped and the line breaks between them are kept.
 *
 * @example
 * escapeLines('usage: steward ledger list\n       steward ledger show'); // two lines, as given
 */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeControls).join('\n');
}
