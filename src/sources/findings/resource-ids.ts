/**
 * Resources named in AWS findings, as the AWS APIs take them. Findings name an EC2 instance
 * by its ARN; EC2's API and steward's EC2 actions take its `i-…` id. Every other ARN is kept.
 */

// arn:<partition>:ec2:<region>:<account>:instance/i-…
const INSTANCE_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]*:\d*:instance\/(i-[0-9a-f]+)$/;

/**
 * The identifier an AWS API takes for a resource a finding names: an instance ARN becomes its
 * instance id; anything else is kept as given.
 *
 * @example
 * apiResourceId('arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0'); // 'i-0123456789abcdef0'
 * apiResourceId('arn:aws:s3:::example-bucket'); // unchanged
 */
export function apiResourceId(resource: string): string {
  return INSTANCE_ARN.exec(resource)?.[1] ?? resource;
}

/**
 * `apiResourceId` of each, each once, in order.
 *
 * @example
 * apiResourceIds(['arn:aws:ec2:us-east-1:123456789012:instance/i-1a', 'i-1a']); // ['i-1a']
 */
export function apiResourceIds(resources: readonly string[]): string[] {
  return [...new Set(resources.map(apiResourceId))];
}
