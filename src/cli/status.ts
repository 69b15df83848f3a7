import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { regionPattern } from '../aws-ids.js';
import { parseTime } from '../json/time.js';
import { Ledger } from '../ledger/ledger.js';
import { deploymentNames } from '../operations/deployment.js';
import { needsAttention, stageStatus } from '../operations/status.js';
import { requestTimeouts } from '../request-timeouts.js';
import { UsageError, type Output } from './output.js';
import { sinceTime } from './since-option.js';
import { describeStatus } from './status-text.js';

/** How long one AWS call of the status may take. */
const requestTimeoutMs = 10_000;

/** A stage as serverless.yml takes it: letters, digits and hyphens. */
const stagePattern = /^[A-Za-z0-9-]+$/;

/**
 * `steward status [--stage S] [--region R] [--since 1h] [--namespace NS] [--json]`: one screen
 * of a deployed stage, from its metrics, its ledger, its dead-letter queue and its alarms, with
 * the credentials of the environment. Exit 0 when everything was read and nothing needs
 * attention, 1 when an alarm is in ALARM, the dead-letter queue holds messages, actions failed
 * in the window or a part could not be read, 2 for a usage problem.
 *
 * @example
 * process.exitCode = await statusCommand(['--stage', 'prod', '--since', '6h'], processOutput);
 */
export async function statusCommand(args: string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      stage: { type: 'string', default: 'dev' },
      region: { type: 'string' },
      since: { type: 'string', default: '1h' },
      namespace: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!stagePattern.test(values.stage))
    throw new UsageError(`--stage must be letters, digits and hyphens, got "${values.stage}"`);
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (region === undefined) throw new UsageError('no region: give --region, or set AWS_REGION');
  if (!regionPattern.test(region))
    throw new UsageError(`--region must be a region code such as us-east-1, got "${region}"`);
  if (values.namespace !== undefined && values.namespace.trim() === '')
    throw new UsageError('--namespace must not be empty');
  const until = new Date();
  const since = new Date(parseTime(sinceTime(values.since, until.getTime())) ?? Number.NaN);
  if (since >= until)
    throw new UsageError(
      `--since ${since.toISOString()} is not before now (${until.toISOString()})`,
    );

  const config = { region, requestHandler: requestTimeouts(requestTimeoutMs) };
  const clients = {
    cloudWatch: new CloudWatchClient(config),
    cloudFormation: new CloudFormationClient(config),
    sqs: new SQSClient(config),
    dynamoDB: new DynamoDBClient(config),
  };
  try {
    const status = await stageStatus(
      {
        ...clients,
        ledger: new Ledger(clients.dynamoDB, {
          tableName: deploymentNames(values.stage).ledgerTable,
        }),
      },
      {
        stage: values.stage,
        region,
        since,
        until,
        ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
      },
    );
    output.out(values.json ? JSON.stringify(status, null, 2) : describeStatus(status));
    return needsAttention(status) ? 1 : 0;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}
