import { functionSources } from './function-rules.js';
import { DeployParameterError } from './parameters.js';

/** What names a central deployment's roles: the service, the stage and the region. */
export interface CentralStack {
  service: string;
  stage: string;
  region: string;
}

/** IAM's limit on a role name's length. */
const roleNameLimit = 64;

/**
 * The fixed name of a function's role, `<service>-<stage>-<region>-<function>`: member accounts
 * trust exactly these names, and a stage deployed in two regions of one account gets two sets.
 *
 * @example
 * functionRoleName({ service: 'steward', stage: 'prod', region: 'us-east-1' }, 'cloudtrail');
 * // 'steward-prod-us-east-1-cloudtrail'
 */
export function functionRoleName(stack: CentralStack, functionName: string): string {
  const nameOf = (each: string) => `${stack.service}-${stack.stage}-${stack.region}-${each}`;
  const longest = Object.keys(functionSources)
    .map(nameOf)
    .reduce((a, b) => (b.length > a.length ? b : a));
  if (longest.length > roleNameLimit)
    throw new DeployParameterError(
      'stage',
      `the role name ${longest} is ${longest.length} characters and IAM allows ${roleNameLimit}: in ${stack.region} a stage may have at most ${roleNameLimit - (longest.length - stack.stage.length)} characters`,
    );
  return nameOf(functionName);
}

/**
 * The logical id of a function's role in the central template.
 *
 * @example
 * roleLogicalId('ec2State'); // 'Ec2StateRole'
 */
export function roleLogicalId(functionName: string): string {
  return `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}Role`;
}
