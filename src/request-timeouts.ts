/** The request handler options of an SDK client whose requests end after `requestTimeout` ms. */
export interface RequestTimeouts {
  requestTimeout: number;
  connectionTimeout: number;
  /** Without it, the SDK only logs a warning when a request outlasts `requestTimeout`. */
  throwOnRequestTimeout: true;
}

/**
 * Request timeouts for an SDK client: without them, a request whose response is lost holds its
 * invocation until Lambda ends it, with no outcome recorded and no claim released. The
 * timeout is a network error to the caller, retried or reported like any other.
 *
 * @example
 * const client = new DynamoDBClient({ requestHandler: requestTimeouts(5_000) });
 */
export function requestTimeouts(requestTimeout: number): RequestTimeouts {
  return {
    requestTimeout,
    connectionTimeout: Math.min(requestTimeout, 2_000),
    throwOnRequestTimeout: true,
  };
}
