import { DescribeImagesCommand, RunInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';

/**
 * Launches `count` instances in reservations of `per`, named `name` and tagged with an `Owner`
 * or not: the fleets the sweep's tests and bench sweep.
 *
 * @example
 * const unowned = await launchFleet(ec2, { count: 40, per: 5, owner: false, name: 'sweep-e2e' });
 */
export async function launchFleet(
  ec2: EC2Client,
  fleet: { count: number; per: number; owner: boolean; name: string },
): Promise<string[]> {
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const imageId = images.Images?.[0]?.ImageId ?? 'ami-12c6146b';
  const ids: string[] = [];
  for (let launched = 0; launched < fleet.count; launched += fleet.per) {
    const { Instances } = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: fleet.per,
        MaxCount: fleet.per,
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'Name', Value: fleet.name },
              ...(fleet.owner ? [{ Key: 'Owner', Value: 'team-a' }] : []),
            ],
          },
        ],
      }),
    );
    ids.push(...(Instances ?? []).flatMap((instance) => instance.InstanceId ?? []));
  }
  return ids;
}
