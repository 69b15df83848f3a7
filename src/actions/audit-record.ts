import { defineAction, type ActionContext } from './action.js';
import { outcomeSentence } from './earlier-outcomes.js';

type AuditParams = { note?: string };

/**
 * The finding in one sentence: the rule, the resource, the event, the note, and what the rule's
 * earlier actions on the event actually did (a note is the author's fixed text; this is not).
 */
function findingSentence({
  rule,
  event,
  resource,
  params,
  earlier,
}: ActionContext<AuditParams>): string {
  return (
    `a ${rule.severity} finding of ${rule.id} on ${resource} for ${event.source} ${event.name}` +
    (params.note ? `: ${params.note}` : '') +
    earlier.map((outcome) => `; ${outcomeSentence(outcome)}`).join('')
  );
}

/**
 * `audit.record`: a finding in the ledger (rule, severity, event, resource, actor), queryable
 * by rule and by resource. Calls no AWS API. Put after a remediation, it records what that
 * remediation did (`revoked …`, `skipped: …`, `failed: …`, `planned: …` in a dry run), so the
 * note names the finding, not its outcome.
 */
export const auditRecord = defineAction<AuditParams>({
  name: 'audit.record',
  summary: 'Record a finding in the ledger.',
  example: [
    'actions:',
    '  - action: ec2.revoke-security-group-ingress',
    '  - action: audit.record',
    '    params: { note: Ingress opened to every address }',
  ].join('\n'),
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { note: { type: 'string', description: 'A sentence kept with the finding.' } },
  },
  permissions: () => [],
  destructive: false,
  recordsFindings: true,
  noExternalEffect: true,
  targets: (event) => (event.resources.length > 0 ? event.resources : ['-']),
  describe: (context) => `record ${findingSentence(context)}`,
  async execute(context) {
    const { rule, event, resource, params, earlier } = context;
    return {
      status: 'succeeded',
      detail: `recorded ${findingSentence(context)}`,
      data: {
        finding: {
          rule: rule.id,
          severity: rule.severity,
          description: rule.description,
          note: params.note,
          resource,
          event: { id: event.id, source: event.source, name: event.name, time: event.time },
          actor: event.actor?.arn ?? event.actor?.invokedBy,
          ...(earlier.length > 0 ? { actions: earlier.map(outcomeSentence) } : {}),
        },
      },
    };
  },
});
