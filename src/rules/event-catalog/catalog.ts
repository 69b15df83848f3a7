import { isObject } from '../../json/fields.js';

/**
 * A CloudTrail event name with an API version appended, as Lambda logs them
 * (`CreateFunction20150331`, `UpdateFunctionConfiguration20150331v2`); the name without it is
 * the operation's. (CloudFront's versioned names are its operations' wire names, in the models.)
 */
const versionSuffix = /^([A-Za-z]+?)\d{8}(v\d+)?$/;

/** True when `word` is one of the space-separated `names`. */
function listed(names: string, word: string): boolean {
  for (let at = names.indexOf(word); at >= 0; at = names.indexOf(word, at + 1)) {
    const end = at + word.length;
    if ((at === 0 || names[at - 1] === ' ') && (end === names.length || names[end] === ' '))
      return true;
  }
  return false;
}

/** A catalog file that is not what the generator or the hand-kept list writes. */
export class EventCatalogError extends Error {
  constructor(file: string, reason: string) {
    super(`event catalog ${file}: ${reason}`);
    this.name = 'EventCatalogError';
  }
}

/**
 * The CloudTrail event names each event source emits, offline: generated from the AWS service
 * models (`botocore.json`) and completed by hand with events that are not API operations
 * (`by-hand.json`). A source's names are split into a set only when a rule names that source.
 *
 * @example
 * const catalog = await eventCatalogFiles.load();
 * catalog.emits('logs.amazonaws.com', 'CreateLogGroup'); // true
 * catalog.hasSource('log.amazonaws.com'); // false
 */
export class EventCatalog {
  private readonly names = new Map<string, ReadonlySet<string>>();
  private everyName: ReadonlySet<string> | undefined;

  /**
   * @param sources each event source with its event names joined by spaces
   * @param versioned the sources whose event names may carry the API version
   */
  constructor(
    private readonly sources: ReadonlyMap<string, string>,
    private readonly versioned: ReadonlySet<string> = new Set(),
  ) {}

  /**
   * The catalog of the generated file's and the hand-kept file's contents (already parsed).
   *
   * @example
   * EventCatalog.fromFiles({ botocore: '1', sources: { 'sts.amazonaws.com': 'AssumeRole' } }, { sources: {} });
   */
  static fromFiles(generated: unknown, byHand: unknown): EventCatalog {
    if (!isObject(generated) || !isObject(generated.sources))
      throw new EventCatalogError('botocore.json', 'no "sources" object');
    if (!isObject(byHand) || !isObject(byHand.sources))
      throw new EventCatalogError('by-hand.json', 'no "sources" object');
    const versioned = byHand.apiVersionSuffix ?? [];
    if (!Array.isArray(versioned) || !versioned.every((source) => typeof source === 'string'))
      throw new EventCatalogError('by-hand.json', '"apiVersionSuffix" must be a list of sources');
    const sources = new Map<string, string>();
    for (const [source, names] of Object.entries(generated.sources)) {
      if (typeof names !== 'string')
        throw new EventCatalogError('botocore.json', `${source}: names must be one string`);
      sources.set(source, names);
    }
    for (const [source, names] of Object.entries(byHand.sources)) {
      if (!Array.isArray(names) || !names.every((name) => typeof name === 'string'))
        throw new EventCatalogError('by-hand.json', `${source}: names must be a list of strings`);
      sources.set(source, [sources.get(source) ?? '', ...names].join(' ').trim());
    }
    return new EventCatalog(sources, new Set(versioned));
  }

  /** Every event source, sorted. */
  sourceNames(): string[] {
    return [...this.sources.keys()].sort();
  }

  hasSource(source: string): boolean {
    return this.sources.has(source);
  }

  /** The event names of `source`; empty for a source the catalog does not know. */
  namesOf(source: string): ReadonlySet<string> {
    let names = this.names.get(source);
    if (!names) {
      names = new Set((this.sources.get(source) ?? '').split(' ').filter(Boolean));
      this.names.set(source, names);
    }
    return names;
  }

  /** The event names of every source. */
  allNames(): ReadonlySet<string> {
    this.everyName ??= new Set(this.sourceNames().flatMap((source) => [...this.namesOf(source)]));
    return this.everyName;
  }

  /**
   * True when `source` (or, without one, some source) emits `name`; for a source that logs
   * API versions, also with one appended. Searches the names' text rather than building sets,
   * which a rule's few names do not repay.
   */
  emits(source: string | undefined, name: string): boolean {
    if (source === undefined)
      return [...this.sources.keys()].some((known) => this.emits(known, name));
    const names = this.sources.get(source);
    if (names === undefined) return false;
    const base = this.versioned.has(source) ? versionSuffix.exec(name)?.[1] : undefined;
    return [name, base].some((word) => word !== undefined && listed(names, word));
  }

  /** The sources that emit `name`, sorted. */
  sourcesOf(name: string): string[] {
    return this.sourceNames().filter((source) => this.emits(source, name));
  }
}

/**
 * Reads the event catalog on first use: about half a megabyte that only the check of a rule's
 * CloudTrail triggers needs, so commands and rules that never check one never read it.
 *
 * @example
 * const catalog = await eventCatalogFiles.load();
 * eventCatalogFiles.loaded; // true
 */
export class EventCatalogFiles {
  private reading: Promise<EventCatalog> | undefined;

  /** True once the catalog has been asked for. */
  get loaded(): boolean {
    return this.reading !== undefined;
  }

  load(): Promise<EventCatalog> {
    this.reading ??= Promise.all([
      import('./botocore.json', { with: { type: 'json' } }),
      import('./by-hand.json', { with: { type: 'json' } }),
    ]).then(([generated, byHand]) => EventCatalog.fromFiles(generated.default, byHand.default));
    return this.reading;
  }
}

/** The catalog files shipped beside this module. */
export const eventCatalogFiles = new EventCatalogFiles();
