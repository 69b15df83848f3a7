import { StewardError } from '../../errors.js';

/**
 * A backtest function (worker or reducer) was given input it cannot work on: `where` names the
 * field. The state machine passes its execution input on, so this means a start by hand (or
 * another version of steward) rather than a fault: the message says what was expected.
 *
 * @example
 * throw new BacktestInputError('Items[3].Key', 'expected a non-empty string, got a number');
 */
export class BacktestInputError extends StewardError {
  constructor(
    readonly where: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`backtest input ${where}: ${problem}`, options);
    this.name = 'BacktestInputError';
  }
}

/**
 * The backtest stack is not there, or not as expected (no state machine in its outputs): the
 * message says what to deploy, and `cause` keeps what CloudFormation answered.
 *
 * @example
 * throw new BacktestStackError('steward-backtest-dev', 'us-east-1', 'it does not exist');
 */
export class BacktestStackError extends StewardError {
  constructor(
    readonly stackName: string,
    readonly region: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(
      `no backtest stack ${stackName} in ${region} to run on: ${problem}; deploy it first: ` +
        `cd backtest && npx sls deploy --stage ${stageOf(stackName)} --region ${region} --param="trailBucket=BUCKET"`,
      options,
    );
    this.name = 'BacktestStackError';
  }
}

function stageOf(stack: string): string {
  return stack.slice(stack.lastIndexOf('-') + 1);
}
