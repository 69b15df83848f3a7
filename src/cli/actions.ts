import { usages } from './usages.js';
import type { ActionDefinition } from '../actions/action.js';
import { listStates } from '../actions/action.js';
import { actionCatalog } from '../actions/catalog.js';
import { actionPermissions } from '../actions/origin-state.js';
import { indented, listCatalog, type CatalogListing } from './catalog-listing.js';
import type { Output } from './output.js';
import { table } from './output.js';
import { propertyRows } from './schema-text.js';

/** What a rule's use of the action needs: its permissions with the default parameters. */
function permissionsOf(action: ActionDefinition): string[] {
  return actionPermissions(action, {});
}

function originOf(action: ActionDefinition): string {
  return action.originStates === undefined ? 'any' : listStates(action.originStates.states);
}

function detail(action: ActionDefinition): string {
  const parameters = propertyRows(action.paramsSchema);
  const permissions = permissionsOf(action);
  return [
    `${action.name}: ${action.summary}`,
    '',
    `parameters:${parameters.length === 0 ? ' none' : `\n${indented(table(parameters))}`}`,
    `IAM permissions: ${permissions.length === 0 ? 'none' : permissions.join(', ')}`,
    `origin states: ${originOf(action)}` +
      (action.originStates === undefined ? '' : ' (a resource in any other state is skipped)'),
    `destructive: ${action.destructive ? 'yes, the rule must set allowDestructive: true' : 'no'}`,
  ].join('\n');
}

const listing: CatalogListing<ActionDefinition> = {
  kind: 'action',
  usage: usages.actions,
  entries: actionCatalog,
  header: ['ACTION', 'DOES'],
  row: (action) => [action.name, action.summary],
  detail,
  example: (action) => action.example,
  json: (action) => ({
    name: action.name,
    description: action.summary,
    parameters: action.paramsSchema,
    permissions: permissionsOf(action),
    originStates: action.originStates?.states ?? null,
    destructive: action.destructive,
    example: action.example,
  }),
};

/**
 * `steward actions [NAME] [--json]`: the action catalog. Without a name, one line an action
 * (its name and what it does); with a name, its parameters, the IAM
 * permissions the deployed role gets for it, its origin states and an example.
 *
 * @example
 * await actionsCommand(['ec2.stop-instances'], processOutput); // 0
 */
export function actionsCommand(args: string[], output: Output): Promise<number> {
  return listCatalog(listing, args, output);
}
