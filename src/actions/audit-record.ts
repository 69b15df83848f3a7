import { defineAction } from './action.js';

/**
 * `audit.record`: a finding in the ledger (rule, severity, event, resource, actor), queryable
 * by rule and by resource. Calls no AWS API.
 *
 * ```yaml
 * actions:
 *   - action: audit.record
 *     params: { note: Console sign-in without MFA }
 * ```
 */
export const auditRecord = defineAction<{ note?: string }>({
  name: 'audit.record',
  summary: 'Record a finding in the ledger.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { note: { type: 'string', description: 'A sentence kept with the finding.' } },
  },
  permissions: [],
  destructive: false,
  recordsFindings: true,
  targets: (event) => (event.resources.length > 0 ? event.resources : ['-']),
  describe: ({ rule, event, resource, params }) =>
    `record a ${rule.severity} finding of ${rule.id} on ${resource} for ${event.source} ${event.name}` +
    (params.note ? `: ${params.note}` : ''),
  async execute(context) {
    const { rule, event, resource, params } = context;
    return {
      status: 'succeeded',
      detail: this.describe(context).replace(/^record/, 'recorded'),
      data: {
        finding: {
          rule: rule.id,
          severity: rule.severity,
          description: rule.description,
          note: params.note,
          resource,
          event: { id: event.id, source: event.source, name: event.name, time: event.time },
          actor: event.actor?.arn ?? event.actor?.invokedBy,
        },
      },
    };
  },
});
