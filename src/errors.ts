/**
 * An error of steward's own, whose message already says what failed and where: reports show
 * the message alone, where an AWS or Node.js error is shown with its name.
 */
export class StewardError extends Error {}

/**
 * An error's name and message in one line, for reports and the ledger:
 * `ThrottlingException: Rate exceeded`, or the message alone for a plain `Error` or a
 * `StewardError`.
 *
 * @example
 * errors.push({ kind: 'action', message: messageOf(error), where });
 */
export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === 'Error' || error instanceof StewardError
    ? error.message
    : `${error.name}: ${error.message}`;
}
