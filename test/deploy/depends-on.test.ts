import { describe, expect, it } from 'vitest';
import { dropRedundantDependsOn, type CloudFormationTemplate } from '../../src/deploy/template.js';

function functionDependingOn(
  dependsOn: string | string[],
  properties: Record<string, unknown>,
): CloudFormationTemplate {
  return {
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', DependsOn: dependsOn, Properties: properties },
    },
  };
}

describe('dropping the DependsOn a reference already implies', () => {
  it('drops the role a function reads with Fn::GetAtt and keeps its log group', () => {
    const template = functionDependingOn(['FnLogGroup', 'FnRole'], {
      Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] },
    });
    expect(dropRedundantDependsOn(template)).toBe(1);
    expect(template.Resources?.Fn?.DependsOn).toEqual(['FnLogGroup']);
  });

  it('removes DependsOn altogether when a Ref, a dotted Fn::GetAtt or an Fn::Sub covers each entry', () => {
    const template = functionDependingOn(['Table', 'Queue', 'Topic'], {
      Environment: {
        Variables: {
          TABLE: { Ref: 'Table' },
          QUEUE: { 'Fn::GetAtt': 'Queue.Arn' },
          TOPIC: { 'Fn::Sub': ['${Topic}-alerts', {}] },
        },
      },
    });
    expect(dropRedundantDependsOn(template)).toBe(3);
    expect(template.Resources?.Fn).not.toHaveProperty('DependsOn');
  });

  it('keeps a DependsOn given as a string when nothing references it, and a literal ${!Name}', () => {
    const template = functionDependingOn('Bucket', {
      Description: { 'Fn::Sub': 'reads ${!Bucket} and ${AWS::Region}' },
    });
    expect(dropRedundantDependsOn(template)).toBe(0);
    expect(template.Resources?.Fn?.DependsOn).toBe('Bucket');
  });

  it('leaves a template without resources or dependencies as it was', () => {
    const empty: CloudFormationTemplate = { Outputs: {} };
    expect(dropRedundantDependsOn(empty)).toBe(0);
    expect(empty).toEqual({ Outputs: {} });
    const plain = functionDependingOn([], { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } });
    delete plain.Resources?.Fn?.DependsOn;
    expect(dropRedundantDependsOn(plain)).toBe(0);
    expect(plain.Resources?.Fn).not.toHaveProperty('DependsOn');
  });
});
