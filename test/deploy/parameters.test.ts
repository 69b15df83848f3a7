import { describe, expect, it } from 'vitest';
import { functionRoleName } from '../../src/deploy/iam.js';
import { commaList, DeployParameterError, deployParameters } from '../../src/deploy/parameters.js';

const stack = { service: 'steward', stage: 'prod', region: 'us-east-1' };

describe('the deploy parameters', () => {
  it('default to one account, the steward-member role and no CloudTrail log group', () => {
    expect(deployParameters({}, stack)).toEqual({
      ...stack,
      cloudTrailBucket: '',
      logGroups: [],
      alarmTopicArn: '',
      organizationId: '',
      memberRoleName: 'steward-member',
      cloudTrailLogGroups: [],
      deletionProtection: false,
      sweepRegions: ['us-east-1'],
      sweepAccounts: [],
      metricsNamespace: 'steward/prod',
      tracing: false,
      logLevel: 'INFO',
      debugSampleRate: 0,
    });
  });

  it('take a metrics namespace, tracing, a log level in any case and a DEBUG sample rate', () => {
    expect(
      deployParameters(
        {
          metricsNamespace: ' Security/steward:prod #1 ',
          tracing: 'true',
          logLevel: 'debug',
          debugSampleRate: '0.05',
        },
        stack,
      ),
    ).toMatchObject({
      metricsNamespace: 'Security/steward:prod #1',
      tracing: true,
      logLevel: 'DEBUG',
      debugSampleRate: 0.05,
    });
    expect(deployParameters({ debugSampleRate: '1', logLevel: 'Warn' }, stack)).toMatchObject({
      debugSampleRate: 1,
      logLevel: 'WARN',
    });
    expect(deployParameters({ metricsNamespace: 'x'.repeat(255) }, stack).metricsNamespace).toBe(
      'x'.repeat(255),
    );
  });

  it('refuse a namespace CloudWatch would refuse, naming the parameter and the rule broken', () => {
    const refusal = (metricsNamespace: string) => {
      try {
        deployParameters({ metricsNamespace }, stack);
      } catch (error) {
        expect(error).toBeInstanceOf(DeployParameterError);
        expect((error as DeployParameterError).parameter).toBe('metricsNamespace');
        return (error as Error).message;
      }
      throw new Error(`${metricsNamespace} was taken`);
    };
    expect(refusal('AWS/Lambda')).toBe(
      'deploy parameter metricsNamespace: "AWS/Lambda" starts with "AWS/", which CloudWatch keeps for AWS’s own metrics',
    );
    expect(refusal(':steward')).toBe(
      'deploy parameter metricsNamespace: ":steward" starts with ":", which a CloudWatch alarm refuses',
    );
    expect(refusal('steward/${AWS::Region}')).toBe(
      'deploy parameter metricsNamespace: "steward/${AWS::Region}" is not a CloudWatch namespace (1 to 255 of letters, digits, spaces and .-_/#:)',
    );
    expect(refusal('é')).toMatch(/"é" is not a CloudWatch namespace/);
    expect(refusal('x'.repeat(256))).toMatch(/is not a CloudWatch namespace \(1 to 255/);
  });

  it('refuse a log level, a sample rate or a tracing flag that is not one, naming the parameter', () => {
    expect(() => deployParameters({ logLevel: 'verbose' }, stack)).toThrow(
      'deploy parameter logLevel: "verbose" is not one of DEBUG, INFO, WARN, ERROR',
    );
    for (const rate of ['1.5', '-0.1', '5%', 'NaN', '1e-1', '0x1'])
      expect(() => deployParameters({ debugSampleRate: rate }, stack)).toThrow(
        `deploy parameter debugSampleRate: "${rate}" is not a number from 0 to 1`,
      );
    expect(() => deployParameters({ tracing: 'on' }, stack)).toThrow(
      'deploy parameter tracing: "on" is not true or false',
    );
  });

  it('take the sweeps’ regions and, in an organization, their accounts, once each', () => {
    const parameters = deployParameters(
      {
        organizationId: 'o-a1b2c3d4e5',
        sweepRegions: 'us-east-1, eu-west-1,us-gov-west-1,eu-west-1',
        sweepAccounts: '111122223333,444455556666 ,111122223333',
      },
      stack,
    );
    expect(parameters.sweepRegions).toEqual(['us-east-1', 'eu-west-1', 'us-gov-west-1']);
    expect(parameters.sweepAccounts).toEqual(['111122223333', '444455556666']);
  });

  it('refuse a sweep region or account that is not one, and accounts without an organization, naming the parameter', () => {
    expect(() => deployParameters({ sweepRegions: 'us-east-1,useast2' }, stack)).toThrow(
      'deploy parameter sweepRegions: "useast2" is not a region name (such as us-east-1)',
    );
    expect(() =>
      deployParameters(
        { organizationId: 'o-a1b2c3d4e5', sweepAccounts: '111122223333,4444-5555-6666' },
        stack,
      ),
    ).toThrow('deploy parameter sweepAccounts: "4444-5555-6666" is not a 12-digit account id');
    expect(() => deployParameters({ sweepAccounts: '111122223333' }, stack)).toThrow(
      'deploy parameter sweepAccounts: other accounts are reached through the member role of an organization: give organizationId too',
    );
  });

  it('take an organization, a member role name and CloudTrail log groups as given', () => {
    const parameters = deployParameters(
      {
        organizationId: ' o-a1b2c3d4e5 ',
        memberRoleName: 'security-automation',
        cloudTrailLogGroups: '/aws/cloudtrail/org, ,aws-cloudtrail-logs-111122223333',
      },
      stack,
    );
    expect(parameters.organizationId).toBe('o-a1b2c3d4e5');
    expect(parameters.memberRoleName).toBe('security-automation');
    expect(parameters.cloudTrailLogGroups).toEqual([
      '/aws/cloudtrail/org',
      'aws-cloudtrail-logs-111122223333',
    ]);
    expect(commaList(undefined)).toEqual([]);
  });

  it('refuse an organization id or a role name AWS would refuse, naming the parameter', () => {
    expect(() => deployParameters({ organizationId: '111122223333' }, stack)).toThrow(
      new DeployParameterError(
        'organizationId',
        '"111122223333" is not an organization id (o- and 10 to 32 lowercase letters or digits)',
      ),
    );
    let error: unknown;
    try {
      deployParameters({ memberRoleName: 'team/steward' }, stack);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DeployParameterError);
    expect((error as DeployParameterError).parameter).toBe('memberRoleName');
    expect((error as Error).message).toBe(
      'deploy parameter memberRoleName: "team/steward" is not an IAM role name (1 to 64 of letters, digits and +=,.@_-)',
    );
  });

  it('name the function roles after the stack, within IAM’s 64 characters', () => {
    expect(functionRoleName(stack, 'cloudtrailLogs')).toBe('steward-prod-us-east-1-cloudtrailLogs');
    const longest = { ...stack, stage: 's'.repeat(26), region: 'ap-southeast-1' };
    expect(functionRoleName(longest, 'cloudwatchLogs')).toHaveLength(64);
    expect(() => functionRoleName({ ...longest, stage: 's'.repeat(27) }, 'ec2State')).toThrow(
      `deploy parameter stage: the role name steward-${'s'.repeat(27)}-ap-southeast-1-cloudtrailLogs is 65 characters and IAM allows 64: in ap-southeast-1 a stage may have at most 26 characters`,
    );
  });
});
