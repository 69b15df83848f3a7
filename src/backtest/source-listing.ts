import type { S3Client } from '@aws-sdk/client-s3';
import { LogKeyFilter } from './key-filter.js';
import { ListingNotes } from './listing-notes.js';
import { listLocalFiles } from './local-listing.js';
import type { LogFileRef } from './log-file-ref.js';
import type { BacktestQuery } from './report.js';
import { listS3LogFiles, parseS3Url } from './s3-listing.js';

/**
 * The log files of a backtest's sources, local paths and `s3://` locations, listed lazily in
 * the order given, narrowed by the query's accounts, regions and days. What is not a log file
 * is counted in `notes.skipped`; a source that cannot be listed is a problem in `notes`, and
 * the others are listed all the same.
 *
 * @example
 * const listing = new SourceListing(query, { s3: () => clients.s3() });
 * const { report } = await runBacktest({ refs: listing.refs(), rulesDir: 'rules', query });
 * for (const problem of listing.notes.problems) console.error(`${problem.where}: ${problem.message}`);
 */
export class SourceListing {
  readonly notes = new ListingNotes();
  private readonly filter: LogKeyFilter;

  constructor(
    private readonly query: BacktestQuery,
    private readonly options: { s3: () => Promise<S3Client>; now?: number },
  ) {
    this.filter = new LogKeyFilter(query, options.now);
  }

  async *refs(): AsyncGenerator<LogFileRef> {
    for (const source of this.query.sources) {
      const location = parseS3Url(source);
      if (location === undefined) yield* listLocalFiles(source, this.filter, this.notes);
      else if ('error' in location) this.notes.problem(source, location.error);
      else yield* listS3LogFiles(location, this.filter, this.options.s3, this.notes);
    }
  }
}
