import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';

/** Credentials of an administrator of `account` in moto, which switches accounts on AssumeRole. */
export async function adminCredentials(motoEndpoint: string, account: string) {
  const sts = new STSClient({ endpoint: motoEndpoint, region: 'us-east-1' });
  const { Credentials: credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'test-admin',
    }),
  );
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
    throw new Error(`moto gave no credentials for ${account}`);
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
  };
}

/**
 * Creates the member role in a member account of moto, trusting the central account, as the
 * member template's stack does; one moto serves every e2e file, so a role made by another
 * file is kept.
 */
export async function createMemberRole(
  motoEndpoint: string,
  account: string,
  centralAccount: string,
  roleName = 'steward-member',
): Promise<void> {
  const iam = new IAMClient({
    endpoint: motoEndpoint,
    region: 'us-east-1',
    credentials: await adminCredentials(motoEndpoint, account),
  });
  const created = iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${centralAccount}:root` },
            Action: 'sts:AssumeRole',
          },
        ],
      }),
    }),
  );
  await created.catch((error: unknown) => {
    if (!(error instanceof Error && error.name === 'EntityAlreadyExistsException')) throw error;
  });
}
