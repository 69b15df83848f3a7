/**
 * What a backtest finds: for every rule of the pack, what it would have done over the log
 * files read. The same shape comes from one log file (a worker's result), from a batch of
 * them (a Step Functions worker's partial result) and from a whole run, and any of them merge
 * into one (`mergeReports`), in any order, to the same report.
 *
 * @example
 * const report: BacktestReport = JSON.parse(await readFile('backtest.json', 'utf8'));
 * for (const rule of report.rules) console.log(rule.rule, rule.matches);
 */
export interface BacktestReport {
  /** Bumped when the shape changes, so a partial result of another version is refused. */
  version: 1;
  /** What was asked: the sources as given and the filters. */
  query: BacktestQuery;
  totals: BacktestTotals;
  /** Every rule of the pack (or those `--rule` named), in the pack's order, fired or not. */
  rules: RuleResult[];
  /**
   * Files that could not be read and records that could not be decoded: the first ones by
   * `where` (at most `maxErrorsKept`), and how many more there were.
   */
  errors: BacktestError[];
  moreErrors: number;
}

/** The sources and filters of a backtest, as the command line gave them. */
export interface BacktestQuery {
  /** Local files or directories, or `s3://bucket/prefix`. */
  sources: string[];
  /** ISO 8601 instants; an event counts when `since <= time < until`. */
  since?: string;
  until?: string;
  /** Only events of these accounts / regions (CloudTrail `recipientAccountId`, `awsRegion`). */
  accounts?: string[];
  regions?: string[];
  /** Only these rules (`--rule`); absent: the whole pack. */
  ruleIds?: string[];
  /** The `--facts` file that answered lazy facts, when one did. */
  facts?: string;
}

export interface BacktestTotals {
  /** Log files read whole, and those that could not be read. */
  files: number;
  unreadableFiles: number;
  bytes: number;
  /** Records decoded, and those that could not be. */
  records: number;
  badRecords: number;
  /** Records left out by `since`/`until`/`accounts`/`regions`. */
  filteredOut: number;
  /** Events evaluated: records less those left out. */
  events: number;
  /** Events at least one rule matched. */
  matchedEvents: number;
  /** The earliest and latest event time evaluated (ISO 8601). */
  firstEvent?: string;
  lastEvent?: string;
}

/** What one rule would have done. */
export interface RuleResult {
  rule: string;
  /** The rule's mode (`enforce` or `dry-run`): what its actions would have done in a live run. */
  mode: string;
  /** Events the rule matched. */
  matches: number;
  /** Actions that would have run, by action type (`ec2.stop-instances`: 12). */
  plannedActions: Record<string, number>;
  /** Matches per resource acted on and per actor (principal ARN, or `type:principalId`). */
  resources: CountedValues;
  actors: CountedValues;
  /** The first and last matched event's time (ISO 8601). */
  firstSeen?: string;
  lastSeen?: string;
  /** Matches per UTC day (`2026-10-31`: 4). */
  perDay: Record<string, number>;
  /**
   * Events whose verdict needed a lazy fact (live AWS state) that no `--facts` file answered:
   * the rule could not be decided for them, and they are not counted as matches.
   */
  needsLiveState: number;
  /** The lazy facts those events needed (`instance`, `securityGroup`…). */
  liveFacts: string[];
  /** Events the rule could not be evaluated on for another reason. */
  evaluationErrors: number;
  /** The earliest matched events, by time then id (at most `maxSamplesKept`). */
  samples: SampleEvent[];
}

/**
 * How often each value was seen: exact for up to `maxDistinctKept` distinct values; past that,
 * new values are only counted in `otherCount` and `distinct` is a lower bound (`capped`).
 */
export interface CountedValues {
  counts: Record<string, number>;
  distinct: number;
  otherCount: number;
  capped: boolean;
}

/** A matched event kept as an example, with the explanation of the rule's verdict. */
export interface SampleEvent {
  id: string;
  time: string;
  name: string;
  account?: string;
  region?: string;
  resources: string[];
  actor?: string;
  /** The log file and record (`s3://…/x.json.gz: Records[12]`). */
  where: string;
  /** `steward explain`'s lines for the rule on this event (✓ held, ✗ did not, · not evaluated). */
  explanation: string[];
  /** What the rule's actions would have done to which resource. */
  planned: { action: string; resource: string; detail?: string }[];
}

export interface BacktestError {
  where: string;
  message: string;
}

/** How many samples per rule, errors per report and distinct values per count a report keeps. */
export const maxSamplesKept = 3;
export const maxErrorsKept = 100;
export const maxDistinctKept = 10_000;
