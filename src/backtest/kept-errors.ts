import { maxErrorsKept, type BacktestError } from './report.js';

/** The order errors are kept in: by `where`, then by message, by code unit. */
function errorOrder(a: BacktestError, b: BacktestError): number {
  if (a.where !== b.where) return a.where < b.where ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/**
 * Two reports' errors as one: the first `limit` of both by `where` (then message), and how many
 * more there were. The errors kept are the first of all errors whichever way they were grouped.
 *
 * @example
 * const { errors, moreErrors } = mergeErrors(a.errors, a.moreErrors, b.errors, b.moreErrors);
 */
export function mergeErrors(
  a: readonly BacktestError[],
  aMore: number,
  b: readonly BacktestError[],
  bMore: number,
  limit = maxErrorsKept,
): { errors: BacktestError[]; moreErrors: number } {
  const all = [...a, ...b].sort(errorOrder);
  return {
    errors: all.slice(0, limit),
    moreErrors: aMore + bMore + Math.max(0, all.length - limit),
  };
}

/**
 * The errors of one log file as they are met, holding at most about twice `limit` of them, so a
 * file of a million bad records does not keep a million messages.
 *
 * @example
 * const errors = new ErrorKeeper();
 * errors.add({ where: 'trail.json.gz: Records[3]', message: 'CloudTrail record has no eventName' });
 * errors.kept(); // { errors: [...], moreErrors: 0 }
 */
export class ErrorKeeper {
  private errors: BacktestError[] = [];
  private more = 0;

  constructor(private readonly limit = maxErrorsKept) {}

  get count(): number {
    return this.errors.length + this.more;
  }

  add(error: BacktestError): void {
    this.errors.push(error);
    if (this.errors.length > 2 * this.limit) this.cut();
  }

  kept(): { errors: BacktestError[]; moreErrors: number } {
    return mergeErrors(this.errors, this.more, [], 0, this.limit);
  }

  private cut(): void {
    const { errors, moreErrors } = mergeErrors(this.errors, this.more, [], 0, this.limit);
    this.errors = errors;
    this.more = moreErrors;
  }
}
