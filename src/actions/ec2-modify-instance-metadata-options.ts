import type { Instance } from '@aws-sdk/client-ec2';
import { defineAction, instanceTargets } from './action.js';
import { instanceOrigin } from './instance-state.js';

/** Metadata options can be changed while an instance exists, not once it is going away. */
const originStates = instanceOrigin(
  ['pending', 'running', 'stopping', 'stopped'],
  'require IMDSv2 on',
  'requiring IMDSv2',
);

/**
 * `ec2.modify-instance-metadata-options`: require IMDSv2 on the instances of the event
 * (`HttpTokens: required`, with the metadata endpoint enabled), so credentials cannot be read
 * through a one-request SSRF. `httpPutResponseHopLimit` (1 to 64) also sets the hop limit, for
 * workloads in containers, which need 2. An instance that already requires tokens (with that
 * hop limit, if one is given), or is shutting down or terminated, is skipped.
 */
export const ec2ModifyInstanceMetadataOptions = defineAction<
  { httpPutResponseHopLimit?: number },
  Instance
>({
  name: 'ec2.modify-instance-metadata-options',
  summary: 'Require IMDSv2 (session tokens) on EC2 instances.',
  example: [
    'actions:',
    '  - action: ec2.modify-instance-metadata-options',
    '    params: { httpPutResponseHopLimit: 2 }',
  ].join('\n'),
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      httpPutResponseHopLimit: {
        type: 'integer',
        minimum: 1,
        maximum: 64,
        description: 'also set the hop limit: 2 for workloads in containers',
      },
    },
  },
  permissions: () => ['ec2:ModifyInstanceMetadataOptions'],
  destructive: false,
  originStates,
  targets: instanceTargets,
  describe: ({ resource, params }) =>
    `require IMDSv2 on ${resource}` +
    (params.httpPutResponseHopLimit === undefined
      ? ''
      : ` with a hop limit of ${params.httpPutResponseHopLimit}`),
  async execute({ resource, params, clients, origin }) {
    const ec2 = await clients.ec2();
    const current = origin?.described?.MetadataOptions;
    const tokens = current?.HttpTokens;
    const hopLimit = params.httpPutResponseHopLimit;
    if (
      tokens === 'required' &&
      (hopLimit === undefined || hopLimit === current?.HttpPutResponseHopLimit)
    ) {
      return {
        status: 'skipped',
        detail: `did not require IMDSv2 on ${resource}: it already requires it`,
      };
    }
    const { ModifyInstanceMetadataOptionsCommand } = await import('@aws-sdk/client-ec2');
    await ec2.send(
      new ModifyInstanceMetadataOptionsCommand({
        InstanceId: resource,
        HttpTokens: 'required',
        HttpEndpoint: 'enabled',
        ...(hopLimit === undefined ? {} : { HttpPutResponseHopLimit: hopLimit }),
      }),
    );
    return {
      status: 'succeeded',
      detail: `required IMDSv2 on ${resource} (HttpTokens was ${tokens ?? 'unset'})`,
      data: { previousHttpTokens: tokens },
    };
  },
});
