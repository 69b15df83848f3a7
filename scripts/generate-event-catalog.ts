/**
 * Regenerates `src/rules/event-catalog/botocore.json`, the CloudTrail event names each event
 * source can emit, from the AWS service models that botocore ships. Run it after upgrading
 * botocore (it is installed with moto in `.venv`):
 *
 *   npx tsx scripts/generate-event-catalog.ts [BOTOCORE_DIR]
 *
 * Events that are not API operations (console sign-in, service events) are not in the models;
 * they are kept by hand in `src/rules/event-catalog/by-hand.json`, which this script leaves alone.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { isObject } from '../src/json/fields.js';

/** What the catalog needs of one botocore service model. */
export interface ServiceModel {
  /** The botocore directory name, e.g. `cloudwatch`. */
  service: string;
  endpointPrefix: string;
  signingName?: string;
  /** Operation names: the operations' keys and, where they differ, their wire names. */
  operations: string[];
}

/** A service model that cannot be read, naming the file. */
export class ServiceModelError extends Error {
  constructor(
    readonly file: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${reason}`, options);
    this.name = 'ServiceModelError';
  }
}

/**
 * Services whose CloudTrail event source is neither `<endpointPrefix>.amazonaws.com` nor
 * `<signingName>.amazonaws.com`: the AWS access portal (`sso`, endpoint `portal.sso`, signed as
 * `awsssoportal`) logs as `sso.amazonaws.com`.
 */
const extraSources: Readonly<Record<string, readonly string[]>> = {
  sso: ['sso.amazonaws.com'],
};

/**
 * The event sources a service's calls are logged under. Usually `<endpointPrefix>.amazonaws.com`;
 * the signing name covers services whose endpoint is not their CloudTrail name (`email` for SES,
 * `s3-control` and `streams.dynamodb`, logged as `s3` and `dynamodb`).
 *
 * @example
 * serviceSources({ service: 'ses', endpointPrefix: 'email', signingName: 'ses', operations: [] });
 * // ['email.amazonaws.com', 'ses.amazonaws.com']
 */
export function serviceSources(model: ServiceModel): string[] {
  // CloudTrail's event sources (and the rule schema's) are lower case; a signing name such as
  // IoTSecuredTunneling is not one.
  const names = [model.endpointPrefix, model.signingName].filter(
    (name): name is string => name !== undefined && /^[a-z0-9.-]+$/.test(name),
  );
  return [
    ...new Set([
      ...names.map((name) => `${name}.amazonaws.com`),
      ...(extraSources[model.service] ?? []),
    ]),
  ].sort();
}

/**
 * One service model's file text, reduced to what the catalog needs.
 *
 * @example
 * parseServiceModel('cloudwatch', text, 'cloudwatch/2010-08-01/service-2.json.gz');
 * // { service: 'cloudwatch', endpointPrefix: 'monitoring', operations: ['DeleteAlarms', …] }
 */
export function parseServiceModel(service: string, text: string, file: string): ServiceModel {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ServiceModelError(file, 'invalid JSON', { cause });
  }
  if (!isObject(value) || !isObject(value.metadata) || !isObject(value.operations))
    throw new ServiceModelError(file, 'not a service model (no metadata or operations)');
  const { endpointPrefix, signingName } = value.metadata;
  if (typeof endpointPrefix !== 'string')
    throw new ServiceModelError(file, 'metadata.endpointPrefix is missing');
  const operations = new Set<string>();
  for (const [key, operation] of Object.entries(value.operations)) {
    operations.add(key);
    // CloudFront's wire names carry the API version (CreateDistribution2020_05_31), as its events do.
    if (isObject(operation) && typeof operation.name === 'string') operations.add(operation.name);
  }
  return {
    service,
    endpointPrefix,
    ...(typeof signingName === 'string' ? { signingName } : {}),
    operations: [...operations],
  };
}

/**
 * The event names of each event source, from every service model.
 *
 * @example
 * buildCatalog([cloudwatchModel]); // Map { 'monitoring.amazonaws.com' => Set { 'DeleteAlarms', … } }
 */
export function buildCatalog(models: Iterable<ServiceModel>): Map<string, Set<string>> {
  const catalog = new Map<string, Set<string>>();
  for (const model of models) {
    for (const source of serviceSources(model)) {
      const names = catalog.get(source) ?? new Set<string>();
      for (const operation of model.operations) names.add(operation);
      catalog.set(source, names);
    }
  }
  return catalog;
}

/**
 * The catalog file's text: the botocore version, then one line per event source (sorted) with
 * its event names sorted and joined by spaces, which keeps the file small and its diffs readable.
 *
 * @example
 * formatCatalog(new Map([['sts.amazonaws.com', new Set(['GetCallerIdentity', 'AssumeRole'])]]), '1.44.8');
 * // '{\n"botocore": "1.44.8",\n"sources": {\n"sts.amazonaws.com": "AssumeRole GetCallerIdentity"\n}\n}\n'
 */
export function formatCatalog(
  catalog: ReadonlyMap<string, ReadonlySet<string>>,
  botocoreVersion: string,
): string {
  const lines = [...catalog.keys()]
    .sort()
    .map(
      (source) =>
        `${JSON.stringify(source)}: ${JSON.stringify([...(catalog.get(source) ?? [])].sort().join(' '))}`,
    );
  return `{\n"botocore": ${JSON.stringify(botocoreVersion)},\n"sources": {\n${lines.join(',\n')}\n}\n}\n`;
}

/**
 * The newest API version's model of each service under botocore's `data/` directory.
 *
 * @example
 * const models = await readServiceModels('.venv/lib/python3.11/site-packages/botocore/data');
 */
export async function readServiceModels(dataDir: string): Promise<ServiceModel[]> {
  const entries = await readdir(dataDir, { withFileTypes: true });
  const models: ServiceModel[] = [];
  for (const entry of entries
    .filter((item) => item.isDirectory())
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const versions = (await readdir(join(dataDir, entry.name), { withFileTypes: true }))
      .filter((item) => item.isDirectory())
      .map((item) => item.name)
      .sort();
    const newest = versions.at(-1);
    if (newest === undefined) continue;
    const files = await readdir(join(dataDir, entry.name, newest));
    const file = files.find((name) => name === 'service-2.json.gz' || name === 'service-2.json');
    if (file === undefined) continue;
    const path = join(dataDir, entry.name, newest, file);
    const bytes = await readFile(path);
    const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    models.push(parseServiceModel(entry.name, text, path));
  }
  return models;
}

/**
 * The version botocore declares in its `__init__.py`.
 *
 * @example
 * await botocoreVersion('.venv/lib/python3.11/site-packages/botocore'); // '1.44.8'
 */
export async function botocoreVersion(botocoreDir: string): Promise<string> {
  const init = await readFile(join(botocoreDir, '__init__.py'), 'utf8');
  const match = /^__version__\s*=\s*['"]([^'"]+)['"]/m.exec(init);
  if (!match?.[1]) throw new ServiceModelError(join(botocoreDir, '__init__.py'), 'no __version__');
  return match[1];
}

/** Where the generated catalog lives in the repository. */
export const catalogFile = fileURLToPath(
  new URL('../src/rules/event-catalog/botocore.json', import.meta.url),
);

/**
 * The catalog text generated from the botocore package at `botocoreDir`.
 *
 * @example
 * await writeFile(catalogFile, await generateCatalog('.venv/lib/python3.11/site-packages/botocore'));
 */
export async function generateCatalog(botocoreDir: string): Promise<string> {
  const models = await readServiceModels(join(botocoreDir, 'data'));
  return formatCatalog(buildCatalog(models), await botocoreVersion(botocoreDir));
}

async function main(args: string[]): Promise<number> {
  const botocoreDir =
    args[0] ??
    fileURLToPath(new URL('../.venv/lib/python3.11/site-packages/botocore', import.meta.url));
  try {
    const text = await generateCatalog(botocoreDir);
    await writeFile(catalogFile, text);
    console.log(`${catalogFile}: ${text.length} bytes from botocore in ${botocoreDir}`);
    return 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  process.exitCode = await main(process.argv.slice(2));
