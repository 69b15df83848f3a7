import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { invokeLocal } from '../support/invoke-local.js';
import { copyProject } from '../support/project-copy.js';

let project: string;

beforeAll(async () => {
  // A copy, so that its bundle (.esbuild/) and ledger are its own.
  project = await copyProject('steward-invoke-local-', ['events']);
});

describe('sls invoke local', () => {
  it(
    'runs the EC2 sample offline with the facts of its sidecar, and says so',
    { timeout: 240_000 },
    async () => {
      const run = await invokeLocal(project, 'ec2State', 'events/ec2-running.json');
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.code).toBe(0);
      const lines = run.stdout.split('\n');
      expect(lines[0]).toBe(
        JSON.stringify({
          message: `steward facts instance from ${join(project, 'events/ec2-running.facts.json')} (no AWS credentials)`,
        }),
      );
      // The handler's log lines and metric documents, one JSON each, then the report it returned.
      let at = 1;
      const written: Record<string, unknown>[] = [];
      while (lines[at]?.startsWith('{"'))
        written.push(JSON.parse(lines[at++] ?? '') as Record<string, unknown>);
      const logs = written.filter((line) => !('_aws' in line));
      expect(logs.map((line) => [line.level, line.message])).toEqual([
        ...Array.from({ length: 4 }, () => ['INFO', 'action outcome']),
        ['INFO', 'invocation summary'],
      ]);
      expect(logs[4]).toMatchObject({
        function: 'ec2State',
        events: 1,
        matches: 2,
        actions: { planned: 4 },
        errors: 0,
      });
      const report = JSON.parse(lines.slice(at).join('\n')) as {
        events: { matches: { rule: string; actions: { detail: string }[] }[] }[];
      };
      expect(report.events[0]?.matches.map((match) => match.rule)).toEqual([
        'ec2-quarantined-instance-started',
        'ec2-running-without-owner',
      ]);
      expect(report.events[0]?.matches[1]?.actions[0]?.detail).toBe(
        'would tag i-0123456789abcdef0 with steward:violation=missing-owner-tag',
      );
    },
  );

  it(
    'refuses the gzipped log file, naming the payload to invoke instead, without a stack',
    { timeout: 240_000 },
    async () => {
      const run = await invokeLocal(
        project,
        'cloudtrailLogs',
        'events/cloudtrail-log-file.json.gz',
      );
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).toContain(
        'events/cloudtrail-log-file.json.gz is a CloudTrail log file as S3 holds it, not a Lambda event: invoke cloudtrailLogs with the S3 notification that names it (-p events/s3-cloudtrail-object-created.json), or read it with `steward run events/cloudtrail-log-file.json.gz`',
      );
      expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m);
    },
  );
});
