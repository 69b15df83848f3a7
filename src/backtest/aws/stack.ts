import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { messageOf } from '../../errors.js';
import { BacktestStackError } from './errors.js';

/** What `steward backtest --on-aws` needs of the deployed backtest stack (its outputs). */
export interface BacktestStack {
  stackName: string;
  region: string;
  stateMachineArn: string;
  resultsBucket: string;
  /** The bucket the stack's roles may read: the `trailBucket` it was deployed with. */
  trailBucket?: string;
}

/**
 * The CloudFormation stack `sls deploy` makes of `backtest/` for a stage.
 *
 * @example
 * backtestStackName('prod'); // 'steward-backtest-prod'
 */
export function backtestStackName(stage: string): string {
  return `steward-backtest-${stage}`;
}

/**
 * Finds the backtest stack of a stage and reads its outputs. A stack that does not exist, or
 * without a state machine in its outputs (still being created, rolled back), is a
 * `BacktestStackError` saying to deploy `backtest/` first; any other failure (credentials,
 * network) is passed on.
 *
 * @example
 * const stack = await findBacktestStack(new CloudFormationClient({ region }), 'dev', region);
 */
export async function findBacktestStack(
  cloudFormation: CloudFormationClient,
  stage: string,
  region: string,
): Promise<BacktestStack> {
  const stackName = backtestStackName(stage);
  let stacks;
  try {
    ({ Stacks: stacks } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    ));
  } catch (cause) {
    if (/does not exist/.test(messageOf(cause)))
      throw new BacktestStackError(stackName, region, 'it does not exist', { cause });
    throw cause;
  }
  const found = stacks?.[0];
  if (found === undefined) throw new BacktestStackError(stackName, region, 'it does not exist');
  const outputs = new Map(
    (found.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
  );
  const stateMachineArn = outputs.get('StateMachineArn');
  const resultsBucket = outputs.get('ResultsBucketName');
  if (stateMachineArn === undefined || resultsBucket === undefined)
    throw new BacktestStackError(
      stackName,
      region,
      `its outputs name no StateMachineArn and ResultsBucketName (stack status ${found.StackStatus ?? 'unknown'})`,
    );
  const trailBucket = outputs.get('TrailBucketName');
  return {
    stackName,
    region,
    stateMachineArn,
    resultsBucket,
    ...(trailBucket === undefined ? {} : { trailBucket }),
  };
}
