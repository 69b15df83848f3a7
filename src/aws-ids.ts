/**
 * How AWS writes the identifiers steward checks wherever they come from (deploy parameters,
 * sweep targets, sweep event files, a function's ARN).
 *
 * @example
 * accountIdPattern.test('123456789012'); // true
 * regionPattern.test('us-gov-west-1'); // true
 */

/** An AWS account id as IAM and Organizations write it. */
export const accountIdPattern = /^\d{12}$/;

/** A region's code: `us-east-1`, `ap-southeast-2`, `us-gov-west-1`. */
export const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d$/;
