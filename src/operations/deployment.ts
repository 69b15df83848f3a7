import { ledgerTableName } from '../ledger/table.js';
import { defaultMetricsNamespace } from '../telemetry/names.js';

/**
 * What a deployed stage's resources are named, as serverless.yml names them: what
 * `steward status` and `steward trace` look at without reading the stack.
 *
 * @example
 * deploymentNames('prod').logGroup('ec2State'); // '/aws/lambda/steward-prod-ec2State'
 */
export function deploymentNames(stage: string, service = 'steward') {
  return {
    stack: `${service}-${stage}`,
    ledgerTable: ledgerTableName(service, stage),
    deadLetterQueue: `${service}-${stage}-dead-letters`,
    /** The default; the `metricsNamespace` parameter may name another (the stack's output says). */
    metricsNamespace: defaultMetricsNamespace(stage, service),
    /** Every alarm of the stage is named with this prefix. */
    alarmPrefix: `${service}-${stage}-`,
    functionName: (fn: string) => `${service}-${stage}-${fn}`,
    logGroup: (fn: string) => `/aws/lambda/${service}-${stage}-${fn}`,
  };
}
