import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PipelineReport } from '../../src/pipeline.js';
import { steward } from './support.js';

const tagRule = `id: tag-with-request
description: Tags a launched instance with the request that launched it.
kind: remediation
severity: low
triggers:
  - source: cloudtrail
    eventSource: ec2.amazonaws.com
    events: [RunInstances]
actions:
  - action: ec2.create-tags
    params:
      tags:
        steward:request: \${record.requestParameters}
mode: enforce
`;

/** A RunInstances record; `requestParameters` is JSON text, so it can nest deeper than any stack. */
function runInstances(eventId: string, instanceId: string, requestParameters: string): string {
  return `{"eventVersion":"1.09","eventID":"${eventId}","eventTime":"2026-11-20T10:00:00Z",
    "eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1",
    "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice"},
    "requestParameters":${requestParameters},
    "responseElements":{"instancesSet":{"items":[{"instanceId":"${instanceId}"}]}}}`;
}

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'steward-cli-deep-'));
  process.env.STEWARD_DATA_DIR = join(scratch, 'data');
  await mkdir(join(scratch, 'rules'));
  await writeFile(join(scratch, 'rules', 'tag-with-request.yaml'), tagRule);
});

describe('a record nested 100,000 deep beside an ordinary one', () => {
  it('renders its template bounded, and both records are processed', async () => {
    const depth = 100_000;
    const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const file = join(scratch, 'log-file.json');
    await writeFile(
      file,
      `{"Records":[${runInstances('deep-1', 'i-0000000000000000d', deep)},` +
        `${runInstances('plain-1', 'i-0000000000000000e', '{"instanceType":"t3.micro"}')}]}`,
    );
    const { code, stdout, stderr } = await steward(
      'run',
      file,
      '--rules',
      join(scratch, 'rules'),
      '--json',
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout) as PipelineReport;
    const details = report.events.map((event) => [
      event.id,
      event.matches.flatMap((match) => match.actions.map((action) => action.detail)),
    ]);
    expect(details).toEqual([
      [
        'deep-1',
        [
          `would tag i-0000000000000000d with steward:request=${'{"a":'.repeat(20)}{…}${'}'.repeat(20)}`,
        ],
      ],
      [
        'plain-1',
        ['would tag i-0000000000000000e with steward:request={"instanceType":"t3.micro"}'],
      ],
    ]);
  });
});
