/** A completion was refused because the claim is no longer held (its lease ran out and another delivery took it over). */
export class ClaimLostError extends Error {
  constructor(readonly key: string) {
    super(`the claim on ${key} was lost before its outcome could be recorded`);
    this.name = 'ClaimLostError';
  }
}

/** DynamoDB refused a conditional write because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
