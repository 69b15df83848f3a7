/** The logical id of the central stack's organization event bus. */
export const organizationBusLogicalId = 'OrganizationEventBus';

/**
 * The name of the bus the member accounts forward their events to.
 *
 * @example
 * organizationBusName({ service: 'steward', stage: 'prod' }); // 'steward-prod-organization'
 */
export function organizationBusName(stack: { service: string; stage: string }): string {
  return `${stack.service}-${stack.stage}-organization`;
}

/**
 * The central stack's organization bus and its policy: any account of the organization, and
 * no other, may put events on it (the member accounts' forwarding rules do).
 *
 * @example
 * Object.keys(organizationBusResources('o-a1b2c3d4e5', { service: 'steward', stage: 'prod' }));
 * // ['OrganizationEventBus', 'OrganizationEventBusPolicy']
 */
export function organizationBusResources(
  organizationId: string,
  stack: { service: string; stage: string },
): Record<string, unknown> {
  return {
    [organizationBusLogicalId]: {
      Type: 'AWS::Events::EventBus',
      Properties: { Name: organizationBusName(stack) },
    },
    [`${organizationBusLogicalId}Policy`]: {
      Type: 'AWS::Events::EventBusPolicy',
      Properties: {
        EventBusName: { Ref: organizationBusLogicalId },
        StatementId: 'organization-accounts-put-events',
        Statement: {
          Effect: 'Allow',
          Principal: '*',
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': [organizationBusLogicalId, 'Arn'] },
          Condition: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
        },
      },
    },
  };
}
