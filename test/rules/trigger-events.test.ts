import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventCatalogFiles } from '../../src/rules/event-catalog/catalog.js';
import { checkRuleDirectory, checkRuleText, loadRules } from '../../src/rules/load.js';
import { buildRulePack } from '../../src/rules/pack-build.js';
import { formatProblem, RuleLoadError } from '../../src/rules/problems.js';
import { steward } from '../cli/support.js';
import { repoPath } from '../support/files.js';

function ruleWith(triggers: string, extra = ''): string {
  return `id: sample-rule
description: A rule for tests.
kind: audit
severity: low
triggers:
${triggers}
actions:
  - action: audit.record
${extra}`;
}

async function problemsOf(text: string): Promise<string[]> {
  return (await checkRuleText(text, 'rules/sample.yaml')).problems.map(formatProblem);
}

const hatch = '(allowUnknownEvents: true accepts it)';

describe('CloudTrail triggers against the event catalog', () => {
  it('reads the catalog only for a rule with a CloudTrail trigger', async () => {
    const ec2 = ruleWith('  - source: ec2-state\n    states: [running]');
    expect(await problemsOf(ec2)).toEqual([]);
    expect(eventCatalogFiles.loaded).toBe(false);
    const allowed = ruleWith(
      '  - source: cloudtrail\n    events: [Anything]',
      'allowUnknownEvents: true\n',
    );
    expect(await problemsOf(allowed)).toEqual([]);
    expect(eventCatalogFiles.loaded).toBe(false);
    await problemsOf(ruleWith('  - source: cloudtrail\n    events: [ConsoleLogin]'));
    expect(eventCatalogFiles.loaded).toBe(true);
  });

  it('rejects a misspelt event name of a source, with the name meant and where', async () => {
    const text = ruleWith(
      '  - source: cloudtrail\n    eventSource: logs.amazonaws.com\n    events: [CreateLogGroup, DeleteLogGrup]',
    );
    expect(await problemsOf(text)).toEqual([
      `rules/sample.yaml:8:30: "DeleteLogGrup" is not an event of logs.amazonaws.com; did you mean "DeleteLogGroup"? ${hatch}`,
    ]);
  });

  it('rejects an unknown event source, with the source meant, and does not judge its names', async () => {
    const text = ruleWith(
      '  - source: cloudtrail\n    eventSource: log.amazonaws.com\n    events: [DeleteLogGroup]',
    );
    expect(await problemsOf(text)).toEqual([
      `rules/sample.yaml:7:18: unknown event source "log.amazonaws.com"; did you mean "logs.amazonaws.com"? ${hatch}`,
    ]);
  });

  it('names the source that does emit an event put under another', async () => {
    const text = ruleWith(
      '  - source: cloudtrail\n    eventSource: ec2.amazonaws.com\n    events:\n      - ConsoleLogin',
    );
    expect(await problemsOf(text)).toEqual([
      `rules/sample.yaml:9:9: "ConsoleLogin" is not an event of ec2.amazonaws.com; it is an event of signin.amazonaws.com ${hatch}`,
    ]);
  });

  it('without an event source, accepts a name any source emits and suggests ignoring case', async () => {
    const text = ruleWith(
      "  - source: cloudtrail\n    events: [ConsoleLogin, '*', consolelogin, StopLoging, Zzzzzzzzzz]",
    );
    expect(await problemsOf(text)).toEqual([
      `rules/sample.yaml:7:33: no event source emits a CloudTrail event "consolelogin"; did you mean "ConsoleLogin"? ${hatch}`,
      `rules/sample.yaml:7:47: no event source emits a CloudTrail event "StopLoging"; did you mean "StopLogging"? ${hatch}`,
      `rules/sample.yaml:7:59: no event source emits a CloudTrail event "Zzzzzzzzzz" ${hatch}`,
    ]);
  });

  it('accepts what the catalog does not know when the rule says allowUnknownEvents: true', async () => {
    const text = ruleWith(
      '  - source: cloudtrail\n    eventSource: newservice.amazonaws.com\n    events: [DoTheNewThing]',
      'allowUnknownEvents: true\n',
    );
    expect(await problemsOf(text)).toEqual([]);
    expect(
      await problemsOf(text.replace('allowUnknownEvents: true', 'allowUnknownEvents: yes')),
    ).toEqual(['rules/sample.yaml:11:21: allowUnknownEvents must be boolean']);
  });

  it('refuses the rule pack and the loader a typo, as sls package and steward run load them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-rules-'));
    await writeFile(
      join(dir, 'typo.yaml'),
      ruleWith(
        '  - source: cloudtrail\n    eventSource: iam.amazonaws.com\n    events: [CreateAccesKey]',
      ),
    );
    const message = `"CreateAccesKey" is not an event of iam.amazonaws.com; did you mean "CreateAccessKey"? ${hatch}`;
    const check = await checkRuleDirectory(dir);
    expect(check.problems.map(formatProblem)).toEqual([
      `${join(dir, 'typo.yaml')}:8:14: ${message}`,
    ]);
    await expect(buildRulePack(dir)).rejects.toBeInstanceOf(RuleLoadError);
    await expect(loadRules(dir)).rejects.toThrow(message);
  });

  it('steward validate prints the problem with its place and exits 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-rules-'));
    await writeFile(
      join(dir, 'typo.yaml'),
      ruleWith(
        '  - source: cloudtrail\n    eventSource: cloudtrial.amazonaws.com\n    events: [StopLogging]',
      ),
    );
    expect(await steward('validate', dir)).toEqual({
      code: 1,
      stdout: '1 problem in 1 rule file\n',
      stderr: `${join(dir, 'typo.yaml')}:7:18: unknown event source "cloudtrial.amazonaws.com"; did you mean "cloudtrail.amazonaws.com"? ${hatch}\n`,
    });
  });

  it('passes every shipped rule', async () => {
    const check = await checkRuleDirectory(repoPath('rules'));
    expect(check.problems.map(formatProblem)).toEqual([]);
    expect(check.files.length).toBeGreaterThan(20);
  });
});
