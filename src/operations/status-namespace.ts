import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { messageOf } from '../errors.js';

/** The stack output that names the namespace the stage's functions write their metrics to. */
export const metricsNamespaceOutput = 'MetricsNamespace';

/** A stage's metrics namespace, and where it was read from. */
export interface StageNamespace {
  namespace: string;
  /** `option`: `--namespace`; `stack`: the stack's output; `default`: `steward/<stage>`. */
  from: 'option' | 'stack' | 'default';
  /** Why the default was taken when the stack could not say (no stack, no access). */
  note?: string;
}

/**
 * The namespace of a stage's metrics: the stack's `MetricsNamespace` output when the stack
 * exists and has it (the `metricsNamespace` deploy parameter may have named another), else the
 * default, with a note saying why. Never throws: a stack that cannot be read leaves the default.
 *
 * @example
 * const { namespace } = await stageNamespace(cloudFormation, 'steward-prod', 'steward/prod');
 */
export async function stageNamespace(
  cloudFormation: CloudFormationClient,
  stackName: string,
  fallback: string,
): Promise<StageNamespace> {
  let found;
  try {
    const { Stacks } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    found = Stacks?.[0];
  } catch (error) {
    const note = /does not exist/.test(messageOf(error))
      ? `no stack ${stackName}`
      : `cannot read the stack ${stackName}: ${messageOf(error)}`;
    return { namespace: fallback, from: 'default', note };
  }
  const output = found?.Outputs?.find((each) => each.OutputKey === metricsNamespaceOutput);
  if (output?.OutputValue === undefined || output.OutputValue === '')
    return {
      namespace: fallback,
      from: 'default',
      note: `the stack ${stackName} has no ${metricsNamespaceOutput} output`,
    };
  return { namespace: output.OutputValue, from: 'stack' };
}
