import { hostname } from 'node:os';

/**
 * The local process that holds a claim. Recorded only outside Lambda (the CLI, `sls invoke
 * local`), where a claim's lease cannot follow an invocation's time: a later process on the
 * same host sees that the holder is gone and takes the claim over at once, instead of waiting
 * for its lease to end. Lambda containers share host names and pids, so there the lease alone
 * decides.
 */
export interface ClaimOwner {
  host: string;
  pid: number;
}

/** This process, as a claim's owner. */
export function currentOwner(): ClaimOwner {
  return { host: hostname(), pid: process.pid };
}

/**
 * True when `owner` is a process of this host that no longer runs: its claims can be taken
 * over now. Any doubt (another host, a pid we may not signal) answers false, leaving the
 * lease to decide.
 */
export function ownerIsGone(owner: Partial<ClaimOwner> | undefined): boolean {
  if (owner?.host !== hostname() || typeof owner.pid !== 'number') return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
