import { describe, expect, it } from 'vitest';
import {
  EventCatalog,
  EventCatalogError,
  eventCatalogFiles,
} from '../../src/rules/event-catalog/catalog.js';

const small = EventCatalog.fromFiles(
  {
    botocore: '1.0.0',
    sources: {
      'lambda.amazonaws.com': 'CreateFunction Invoke UpdateFunctionConfiguration',
      'logs.amazonaws.com': 'CreateLogGroup DeleteLogGroup',
      'monitoring.amazonaws.com': 'PutMetricAlarm',
    },
  },
  {
    apiVersionSuffix: ['lambda.amazonaws.com'],
    sources: { 'signin.amazonaws.com': ['ConsoleLogin'], 'logs.amazonaws.com': ['Extra'] },
  },
);

describe('EventCatalog', () => {
  it('knows the sources of both files and the names of each', () => {
    expect(small.sourceNames()).toEqual([
      'lambda.amazonaws.com',
      'logs.amazonaws.com',
      'monitoring.amazonaws.com',
      'signin.amazonaws.com',
    ]);
    expect(small.hasSource('log.amazonaws.com')).toBe(false);
    expect([...small.namesOf('logs.amazonaws.com')]).toEqual([
      'CreateLogGroup',
      'DeleteLogGroup',
      'Extra',
    ]);
    expect(small.namesOf('nothing.amazonaws.com').size).toBe(0);
  });

  it('says which source emits a name, whole words only', () => {
    expect(small.emits('logs.amazonaws.com', 'DeleteLogGroup')).toBe(true);
    expect(small.emits('logs.amazonaws.com', 'LogGroup')).toBe(false);
    expect(small.emits('logs.amazonaws.com', 'CreateLogGroupX')).toBe(false);
    expect(small.emits('logs.amazonaws.com', 'PutMetricAlarm')).toBe(false);
    expect(small.emits(undefined, 'ConsoleLogin')).toBe(true);
    expect(small.emits(undefined, 'ConsoleLogout')).toBe(false);
    expect(small.sourcesOf('PutMetricAlarm')).toEqual(['monitoring.amazonaws.com']);
  });

  it('accepts an API version after the names of a source that logs one, and only there', () => {
    expect(small.emits('lambda.amazonaws.com', 'CreateFunction20150331')).toBe(true);
    expect(small.emits('lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2')).toBe(true);
    expect(small.emits(undefined, 'CreateFunction20150331')).toBe(true);
    expect(small.emits('lambda.amazonaws.com', 'CreateFunction2015')).toBe(false);
    expect(small.emits('logs.amazonaws.com', 'CreateLogGroup20140328')).toBe(false);
  });

  it('refuses catalog files of the wrong shape, naming the file', () => {
    expect(() => EventCatalog.fromFiles({}, { sources: {} })).toThrow(
      new EventCatalogError('botocore.json', 'no "sources" object'),
    );
    expect(() =>
      EventCatalog.fromFiles({ sources: { 'a.amazonaws.com': ['A'] } }, { sources: {} }),
    ).toThrow('event catalog botocore.json: a.amazonaws.com: names must be one string');
    expect(() =>
      EventCatalog.fromFiles({ sources: {} }, { sources: { 'a.amazonaws.com': 'A' } }),
    ).toThrow('event catalog by-hand.json: a.amazonaws.com: names must be a list of strings');
    expect(() =>
      EventCatalog.fromFiles({ sources: {} }, { apiVersionSuffix: 'x', sources: {} }),
    ).toThrow('event catalog by-hand.json: "apiVersionSuffix" must be a list of sources');
  });
});

describe('the shipped event catalog', () => {
  it('is read only when asked for', async () => {
    expect(eventCatalogFiles.loaded).toBe(false);
    await eventCatalogFiles.load();
    expect(eventCatalogFiles.loaded).toBe(true);
  });

  it('names the event sources CloudTrail logs for the common services', async () => {
    const catalog = await eventCatalogFiles.load();
    const known: [string, string][] = [
      ['monitoring.amazonaws.com', 'PutMetricAlarm'],
      ['logs.amazonaws.com', 'CreateLogGroup'],
      ['sts.amazonaws.com', 'AssumeRole'],
      ['sts.amazonaws.com', 'AssumeRoleWithSAML'],
      ['iam.amazonaws.com', 'CreateAccessKey'],
      ['s3.amazonaws.com', 'PutBucketPolicy'],
      ['s3.amazonaws.com', 'GetObject'],
      ['s3.amazonaws.com', 'PutPublicAccessBlock'],
      ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress'],
      ['health.amazonaws.com', 'DescribeEvents'],
      ['sso.amazonaws.com', 'ListAccounts'],
      ['sso.amazonaws.com', 'Federate'],
      ['signin.amazonaws.com', 'ConsoleLogin'],
      ['signin.amazonaws.com', 'SwitchRole'],
      ['ses.amazonaws.com', 'SendEmail'],
      ['dynamodb.amazonaws.com', 'DescribeStream'],
      ['lambda.amazonaws.com', 'CreateFunction20150331'],
      ['cloudfront.amazonaws.com', 'UpdateDistribution2020_05_31'],
      ['kms.amazonaws.com', 'RotateKey'],
      ['cloudtrail.amazonaws.com', 'StopLogging'],
    ];
    expect(known.filter(([source, name]) => !catalog.emits(source, name))).toEqual([]);
    expect(catalog.hasSource('log.amazonaws.com')).toBe(false);
    expect(catalog.emits('logs.amazonaws.com', 'DeleteLogGrup')).toBe(false);
    expect(catalog.sourcesOf('ConsoleLogin')).toEqual(['signin.amazonaws.com']);
  });
});
