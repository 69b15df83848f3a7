import { beforeAll, describe, expect, it } from 'vitest';
import { invokeLocal } from '../support/invoke-local.js';
import { copyProject } from '../support/project-copy.js';

let project: string;

beforeAll(async () => {
  // A copy, so that its bundle (.esbuild/) and ledger are its own.
  project = await copyProject('steward-invoke-local-tracing-', ['events']);
});

/**
 * `sls invoke local -f ec2State` on the EC2 sample in the copy, offline, deployed with
 * `--param=tracing=…`: the function's environment then says `STEWARD_TRACING`, as in Lambda (a
 * variable of the shell would not reach it: the function's own environment wins).
 */
function invokeWithTracing(tracing: string) {
  return invokeLocal(project, 'ec2State', 'events/ec2-running.json', {}, [`tracing=${tracing}`]);
}

describe('sls invoke local with the tracing parameter', () => {
  it(
    'true: runs as without it, since Powertools Tracer traces in Lambda alone',
    { timeout: 240_000 },
    async () => {
      const run = await invokeWithTracing('true');
      expect(run.code).toBe(0);
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stdout + run.stderr).not.toMatch(/segment|X-Ray/i);
      // The handler's report is the invocation's result, printed last.
      const lines = run.stdout.split('\n');
      const report = JSON.parse(lines.slice(lines.indexOf('{')).join('\n')) as {
        errors: unknown[];
        events: { matches: { rule: string; actions: { status: string }[] }[] }[];
      };
      expect(report.errors).toEqual([]);
      expect(report.events[0]?.matches.map((match) => match.rule)).toEqual([
        'ec2-quarantined-instance-started',
        'ec2-running-without-owner',
      ]);
      expect(
        report.events[0]?.matches.flatMap((match) => match.actions.map((action) => action.status)),
      ).toEqual(['planned', 'planned', 'planned', 'planned']);
    },
  );

  it(
    'of another value: fails naming the parameter and the value, without a stack',
    { timeout: 240_000 },
    async () => {
      const run = await invokeWithTracing('yes');
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).toContain(
        'deploy parameter tracing: "yes" is not true or false',
      );
      expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stdout + run.stderr).not.toMatch(/"\s+at /);
    },
  );
});
