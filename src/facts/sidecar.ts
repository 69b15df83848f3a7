import type { AwsClients } from '../aws-clients.js';
import { StewardError } from '../errors.js';
import { decodeBytes, LocalFileError, readLocalFile, sourceLimits } from '../sources/index.js';
import { lazyFacts } from './catalog.js';

/** A sidecar holds a few fact values: anything near this size is not one. */
const maxSidecarBytes = 1024 * 1024;

/**
 * A fact sidecar that exists but cannot be used: unreadable, not JSON, not an object of lazy
 * fact values. The message names the file.
 *
 * @example
 * const file = 'events/ec2-running.facts.json';
 * throw new FactSidecarError(file, `${file}: unknown facts instanse`);
 */
export class FactSidecarError extends StewardError {
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'FactSidecarError';
  }
}

/** Lazy fact values read from an event file's sidecar, and where they came from. */
export interface SidecarFacts {
  file: string;
  facts: Readonly<Record<string, unknown>>;
}

/**
 * The sidecar of an event file: the same name with `.facts.json` for its extension, so
 * `events/ec2-running.json` (or `.json.gz`) has `events/ec2-running.facts.json`.
 *
 * @example
 * sidecarFileOf('events/ec2-running.json'); // 'events/ec2-running.facts.json'
 */
export function sidecarFileOf(eventFile: string): string {
  return `${eventFile.replace(/\.json(\.gz)?$/, '')}.facts.json`;
}

/**
 * The lazy fact values of a sidecar file (a JSON object by fact name, each value in the shape
 * the fact returns), or undefined when there is no such file.
 *
 * @example
 * const facts = await readFactSidecar('events/ec2-running.facts.json');
 * console.log(facts?.instance);
 */
export async function readFactSidecar(
  file: string,
): Promise<Readonly<Record<string, unknown>> | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readLocalFile(file, maxSidecarBytes);
  } catch (error) {
    const code = (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    if (error instanceof LocalFileError && code === 'ENOENT') return undefined;
    // LocalFileError's message names the file already.
    throw new FactSidecarError(file, String(error instanceof Error ? error.message : error), {
      cause: error,
    });
  }
  const decoded = decodeBytes(bytes, file, sourceLimits());
  if (!decoded.ok)
    throw new FactSidecarError(file, `${decoded.error.where}: ${decoded.error.message}`);
  const value = decoded.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new FactSidecarError(
      file,
      `${file}: expected a JSON object of lazy fact values by fact name`,
    );
  const unknown = Object.keys(value).filter((name) => !lazyFacts.has(name));
  if (unknown.length > 0)
    throw new FactSidecarError(
      file,
      `${file}: unknown facts ${unknown.join(', ')}; lazy facts: ${[...lazyFacts.keys()].join(', ')}`,
    );
  return value as Record<string, unknown>;
}

/**
 * True when the AWS SDK's default chain finds credentials (environment, profile, SSO, container
 * or instance role), without calling AWS.
 *
 * @example
 * if (!(await hasAwsCredentials(pool.home))) console.log('offline');
 */
export async function hasAwsCredentials(clients: AwsClients): Promise<boolean> {
  const sts = await clients.sts();
  try {
    await sts.config.credentials();
    return true;
  } catch {
    return false;
  }
}

/**
 * The facts an event file's sidecar holds, used only when no AWS credentials are found: with
 * credentials the lazy facts are read from AWS as in Lambda. Undefined when there is no sidecar
 * or there are credentials.
 *
 * @example
 * const offline = await offlineFacts('events/ec2-running.json', pool.home);
 * if (offline) console.error(describeSidecarFacts(offline));
 */
export async function offlineFacts(
  eventFile: string,
  clients: AwsClients,
): Promise<SidecarFacts | undefined> {
  const file = sidecarFileOf(eventFile);
  const facts = await readFactSidecar(file);
  if (facts === undefined || (await hasAwsCredentials(clients))) return undefined;
  return { file, facts };
}

/**
 * One line saying which lazy facts came from which sidecar, and why.
 *
 * @example
 * describeSidecarFacts({ file: 'events/ec2-running.facts.json', facts: { instance: {} } });
 * // 'facts instance from events/ec2-running.facts.json (no AWS credentials)'
 */
export function describeSidecarFacts(sidecar: SidecarFacts): string {
  return `facts ${Object.keys(sidecar.facts).join(', ')} from ${sidecar.file} (no AWS credentials)`;
}
