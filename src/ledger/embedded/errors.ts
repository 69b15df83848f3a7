/**
 * The embedded ledger failed: its server could not start, stopped answering, or failed a
 * request. The message names the ledger's directory; `cause` keeps what went wrong below.
 *
 * @example
 * throw new EmbeddedLedgerError('.steward/ledger', 'its server exited before answering', { cause });
 */
export class EmbeddedLedgerError extends Error {
  constructor(
    readonly path: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`the embedded ledger at ${path} ${problem}`, options);
    this.name = 'EmbeddedLedgerError';
  }
}

/**
 * The ledger's directory holds LevelDB files that do not open: a missing `CURRENT`, a failed
 * checksum, a file LevelDB calls corrupt. steward refuses to serve it rather than start an empty
 * ledger over it; `steward ledger check --repair` backs it up and repairs it.
 *
 * @example
 * throw new LedgerUnreadableError('.steward/ledger', 'CURRENT is missing');
 */
export class LedgerUnreadableError extends EmbeddedLedgerError {
  constructor(
    path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      path,
      `cannot be opened: ${reason}; run "steward ledger check --repair" (it backs the directory up first, then repairs)`,
      options,
    );
    this.name = 'LedgerUnreadableError';
  }
}

/**
 * A ledger server or another process has the directory open (`pid` when it is known), so it
 * must not be repaired now.
 *
 * @example
 * throw new LedgerBusyError('.steward/ledger', 4242);
 */
export class LedgerBusyError extends EmbeddedLedgerError {
  constructor(
    path: string,
    readonly pid?: number,
  ) {
    super(
      path,
      `is in use by ${pid === undefined ? 'another process' : `process ${pid}`}; try again once no steward process uses it (its server exits by itself a few seconds after its last request)`,
    );
    this.name = 'LedgerBusyError';
  }
}
