/**
 * An error's name and message in one line, for reports and the ledger:
 * `ThrottlingException: Rate exceeded`, or the message alone for a plain `Error`.
 *
 * @example
 * errors.push({ kind: 'action', message: messageOf(error), where });
 */
export function messageOf(error: unknown): string {
  return error instanceof Error
    ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
    : String(error);
}
