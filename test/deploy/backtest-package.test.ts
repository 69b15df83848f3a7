import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../support/files.js';
import { copyProject } from '../support/project-copy.js';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

let template: Template;
let packageDir: string;

/** The actions a role's inline policies allow, each with the resources it allows them on. */
function allowed(role: Resource): Map<string, unknown[]> {
  const actions = new Map<string, unknown[]>();
  const policies = role.Properties.Policies as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  for (const statement of policies.flatMap((policy) => policy.PolicyDocument.Statement)) {
    expect(statement.Effect).toBe('Allow');
    for (const action of [statement.Action].flat())
      actions.set(action, [...(actions.get(action) ?? []), statement.Resource].flat());
  }
  return actions;
}

// `sls package` of backtest/ in a scratch copy of the project, as CI runs it (about 10 s).
beforeAll(async () => {
  const project = await copyProject('steward-backtest-package-', ['backtest']);
  packageDir = await mkdtemp(join(tmpdir(), 'steward-backtest-package-out-'));
  await promisify(execFile)(
    process.execPath,
    [
      join(project, 'node_modules/osls/bin/serverless.js'),
      'package',
      '--stage',
      'prod',
      '--package',
      packageDir,
      '--param=trailBucket=org-trail-logs',
    ],
    {
      cwd: join(project, 'backtest'),
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      timeout: 240_000,
    },
  );
  template = JSON.parse(
    await readFile(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  );
}, 300_000);

describe('the packaged backtest stack (backtest/serverless.yml)', () => {
  it('holds the state machine, with the definition of backtest/state-machine.asl.json and its substitutions', async () => {
    const machine = template.Resources.BacktestStateMachine as Resource;
    expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(machine.Properties.Definition).toEqual(
      JSON.parse(await readFile(repoPath('backtest/state-machine.asl.json'), 'utf8')),
    );
    expect(machine.Properties.DefinitionSubstitutions).toEqual({
      WorkerFunctionArn: { 'Fn::GetAtt': ['WorkerLambdaFunction', 'Arn'] },
      ReducerFunctionArn: { 'Fn::GetAtt': ['ReducerLambdaFunction', 'Arn'] },
      ResultsBucket: { Ref: 'ResultsBucket' },
    });
    expect(machine.Properties.RoleArn).toEqual({ 'Fn::GetAtt': ['StateMachineRole', 'Arn'] });
    expect(template.Outputs.StateMachineArn?.Value).toEqual({ Ref: 'BacktestStateMachine' });
    expect(template.Outputs.ResultsBucketName?.Value).toEqual({ Ref: 'ResultsBucket' });
    expect(template.Outputs.TrailBucketName?.Value).toBe('org-trail-logs');
  });

  it('packages both functions, each with the rule pack, and gives each its own role', async () => {
    for (const [name, role] of [
      ['WorkerLambdaFunction', 'WorkerRole'],
      ['ReducerLambdaFunction', 'ReducerRole'],
    ] as const) {
      const fn = template.Resources[name] as Resource;
      expect(fn.Type).toBe('AWS::Lambda::Function');
      expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
    }
    const { stdout } = await promisify(execFile)('unzip', ['-l', join(packageDir, 'worker.zip')]);
    expect(stdout).toContain('dist/rule-pack.json');
    expect(stdout).toContain('handlers/worker.cjs');
  });

  it('lets the state machine start its own child executions, invoke the two functions, list and read the trail bucket and write results', () => {
    const actions = allowed(template.Resources.StateMachineRole as Resource);
    expect([...actions.keys()].sort()).toEqual(
      [
        's3:AbortMultipartUpload',
        's3:GetObject',
        's3:ListBucket',
        's3:ListMultipartUploadParts',
        's3:PutObject',
        'states:DescribeExecution',
        'states:StartExecution',
        'states:StopExecution',
        'lambda:InvokeFunction',
      ].sort(),
    );
    expect(actions.get('lambda:InvokeFunction')).toEqual([
      { 'Fn::GetAtt': ['WorkerLambdaFunction', 'Arn'] },
      { 'Fn::GetAtt': ['ReducerLambdaFunction', 'Arn'] },
    ]);
    expect(JSON.stringify(actions.get('states:StartExecution'))).toContain(
      ':stateMachine:steward-backtest-prod',
    );
    expect(actions.get('s3:ListBucket')).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::org-trail-logs' },
    ]);
    expect(actions.get('s3:PutObject')).toEqual([{ 'Fn::Sub': '${ResultsBucket.Arn}/runs/*' }]);
  });

  it('lets the worker read the trail and write partials, and the reducer only the results bucket', () => {
    const worker = allowed(template.Resources.WorkerRole as Resource);
    expect(Object.fromEntries(worker)).toEqual({
      's3:GetObject': [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::org-trail-logs/*' }],
      's3:PutObject': [{ 'Fn::Sub': '${ResultsBucket.Arn}/runs/*' }],
    });
    const reducer = allowed(template.Resources.ReducerRole as Resource);
    expect(Object.fromEntries(reducer)).toEqual({
      's3:ListBucket': [{ 'Fn::GetAtt': ['ResultsBucket', 'Arn'] }],
      's3:GetObject': [{ 'Fn::Sub': '${ResultsBucket.Arn}/runs/*' }],
      's3:PutObject': [{ 'Fn::Sub': '${ResultsBucket.Arn}/runs/*' }],
    });
  });
});
