import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  buildCatalog,
  catalogFile,
  formatCatalog,
  generateCatalog,
  parseServiceModel,
  ServiceModelError,
  serviceSources,
} from '../../scripts/generate-event-catalog.js';

function model(metadata: Record<string, string>, operations: Record<string, object>): string {
  return JSON.stringify({ version: '2.0', metadata, operations, shapes: {} });
}

/** A botocore package in a temp directory: `__init__.py` and `data/<service>/<version>/`. */
async function botocoreFixture(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'steward-botocore-'));
  await writeFile(join(root, '__init__.py'), "import os\n__version__ = '9.8.7'\n");
  const put = async (service: string, version: string, file: string, text: string) => {
    await mkdir(join(root, 'data', service, version), { recursive: true });
    await writeFile(
      join(root, 'data', service, version, file),
      file.endsWith('.gz') ? gzipSync(text) : text,
    );
  };
  await put(
    'cloudwatch',
    '2010-08-01',
    'service-2.json.gz',
    model({ endpointPrefix: 'monitoring' }, { PutMetricAlarm: {}, DeleteAlarms: {} }),
  );
  await put(
    'ses',
    '2010-12-01',
    'service-2.json',
    model({ endpointPrefix: 'email', signingName: 'ses' }, { SendEmail: {} }),
  );
  await put(
    'sesv2',
    '2019-09-27',
    'service-2.json.gz',
    model({ endpointPrefix: 'email', signingName: 'ses' }, { CreateContact: {} }),
  );
  // Only the newest API version of a service counts.
  await put(
    'lambda',
    '2014-11-11',
    'service-2.json',
    model({ endpointPrefix: 'lambda' }, { OldCall: {} }),
  );
  await put(
    'lambda',
    '2015-03-31',
    'service-2.json.gz',
    model(
      { endpointPrefix: 'lambda', signingName: 'lambda' },
      { Invoke: {}, CreateFunction: { name: 'CreateFunction' } },
    ),
  );
  await mkdir(join(root, 'data', 'no-models', '2020-01-01'), { recursive: true });
  return root;
}

const fixtureCatalog = `{
"botocore": "9.8.7",
"sources": {
"email.amazonaws.com": "CreateContact SendEmail",
"lambda.amazonaws.com": "CreateFunction Invoke",
"monitoring.amazonaws.com": "DeleteAlarms PutMetricAlarm",
"ses.amazonaws.com": "CreateContact SendEmail"
}
}
`;

describe('the event catalog generator', () => {
  it('writes one line per event source, names sorted, with the botocore version', async () => {
    expect(await generateCatalog(await botocoreFixture())).toBe(fixtureCatalog);
  });

  it('logs a service under its endpoint prefix and its signing name, and the access portal as sso', () => {
    expect(
      serviceSources({
        service: 'ses',
        endpointPrefix: 'email',
        signingName: 'ses',
        operations: [],
      }),
    ).toEqual(['email.amazonaws.com', 'ses.amazonaws.com']);
    expect(
      serviceSources({ service: 'cloudwatch', endpointPrefix: 'monitoring', operations: [] }),
    ).toEqual(['monitoring.amazonaws.com']);
    expect(
      serviceSources({
        service: 'sso',
        endpointPrefix: 'portal.sso',
        signingName: 'awsssoportal',
        operations: [],
      }),
    ).toContain('sso.amazonaws.com');
    expect(
      serviceSources({
        service: 'iotsecuretunneling',
        endpointPrefix: 'api.tunneling.iot',
        signingName: 'IoTSecuredTunneling',
        operations: [],
      }),
    ).toEqual(['api.tunneling.iot.amazonaws.com']);
  });

  it('keeps the wire names of operations that carry their API version', () => {
    const parsed = parseServiceModel(
      'cloudfront',
      model(
        { endpointPrefix: 'cloudfront', signingName: 'cloudfront' },
        { CreateDistribution: { name: 'CreateDistribution2020_05_31' } },
      ),
      'cloudfront/service-2.json',
    );
    expect(parsed.operations).toEqual(['CreateDistribution', 'CreateDistribution2020_05_31']);
    expect(buildCatalog([parsed]).get('cloudfront.amazonaws.com')).toEqual(
      new Set(['CreateDistribution', 'CreateDistribution2020_05_31']),
    );
  });

  it('names the file of a model it cannot read', () => {
    expect(() => parseServiceModel('x', '{', 'x/service-2.json')).toThrow(
      new ServiceModelError('x/service-2.json', 'invalid JSON'),
    );
    expect(() => parseServiceModel('x', '{"metadata":{}}', 'x/service-2.json')).toThrow(
      'x/service-2.json: not a service model (no metadata or operations)',
    );
    expect(() =>
      parseServiceModel('x', '{"metadata":{},"operations":{}}', 'x/service-2.json'),
    ).toThrow('x/service-2.json: metadata.endpointPrefix is missing');
  });

  it('refuses a botocore directory without a version', async () => {
    const root = await mkdtemp(join(tmpdir(), 'steward-botocore-'));
    await mkdir(join(root, 'data'));
    await writeFile(join(root, '__init__.py'), 'import os\n');
    await expect(generateCatalog(root)).rejects.toThrow(
      `${join(root, '__init__.py')}: no __version__`,
    );
  });

  it('wrote the committed catalog: reformatting it changes nothing', async () => {
    const text = await readFile(catalogFile, 'utf8');
    const parsed = JSON.parse(text) as { botocore: string; sources: Record<string, string> };
    expect(parsed.botocore).toMatch(/^\d+\.\d+\.\d+$/);
    const catalog = new Map(
      Object.entries(parsed.sources).map(([source, names]) => [source, new Set(names.split(' '))]),
    );
    expect(catalog.size).toBeGreaterThan(300);
    expect(formatCatalog(catalog, parsed.botocore)).toBe(text);
  });
});
