import type { IncomingHttpHeaders } from 'node:http';

/** The faults a proxy can put between steward and an AWS API. */
export type FaultKind = 'throttle' | 'server-error' | 'timeout' | 'drop';

/**
 * Which API a request speaks, which decides how a fault answer is written: DynamoDB's JSON 1.0,
 * the JSON 1.1 services (CloudTrail, CloudWatch Logs, EventBridge), or EC2's query protocol.
 */
export type Protocol = 'dynamodb' | 'json' | 'ec2-query';

/** One request as a fault rule sees it: the call it makes and its raw body. */
export interface CallRequest {
  /**
   * What the call is for. Ledger calls by their part in a claim's life: `claim`, `complete`,
   * `release`, `get` (GetItem of an action: a claim's lookup or a wait for another's outcome),
   * the guards `rate`, `cooldown`, `seen` (and `guard-read` when one says why it refused);
   * any other DynamoDB call by its operation (`DescribeTable`). AWS calls by their operation
   * (`RevokeSecurityGroupIngress`, `StartLogging`).
   */
  call: string;
  /** The API operation: `UpdateItem`, `CreateTags`. */
  operation: string;
  protocol: Protocol;
  body: string;
}

const guardPrefixes = ['rate', 'cooldown', 'seen'] as const;

interface DynamoDBRequestBody {
  Key?: { pk?: { S?: string } };
  ConditionExpression?: string;
  UpdateExpression?: string;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** A ledger item's part: an action (`act_…`, `dry_…`) or a guard (`rate#…`), from its key. */
function ledgerCall(operation: string, body: string): string {
  const parsed = parseJson(body) as DynamoDBRequestBody | undefined;
  const key = parsed?.Key?.pk?.S;
  if (key === undefined) return operation;
  const guard = guardPrefixes.find((prefix) => key.startsWith(`${prefix}#`));
  if (guard !== undefined) return operation === 'UpdateItem' ? guard : 'guard-read';
  if (operation === 'GetItem') return 'get';
  if (operation !== 'UpdateItem') return operation;
  // Only a claim may create the entry; only a completion sets the outcome's status.
  if (parsed?.ConditionExpression?.includes('attribute_not_exists(pk)')) return 'claim';
  if (/#status\s*=\s*:status/.test(parsed?.UpdateExpression ?? '')) return 'complete';
  return 'release';
}

/**
 * Names a request to DynamoDB, EC2 or a JSON-protocol service by the call it makes.
 *
 * @example
 * classifyRequest({ 'x-amz-target': 'DynamoDB_20120810.GetItem' }, body).call; // 'get'
 * classifyRequest({}, 'Action=CreateTags&Version=2016-11-15').call;           // 'CreateTags'
 */
export function classifyRequest(headers: IncomingHttpHeaders, body: string): CallRequest {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') {
    const operation = target.slice(target.lastIndexOf('.') + 1);
    if (target.startsWith('DynamoDB_')) {
      return { call: ledgerCall(operation, body), operation, protocol: 'dynamodb', body };
    }
    return { call: operation, operation, protocol: 'json', body };
  }
  const operation = new URLSearchParams(body).get('Action') ?? 'unknown';
  return { call: operation, operation, protocol: 'ec2-query', body };
}

/** An HTTP answer the proxy gives instead of the upstream's. */
export interface FaultAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function ec2Error(status: number, code: string, message: string): FaultAnswer {
  return {
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body:
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code>` +
      `<Message>${message}</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>`,
  };
}

function jsonError(protocol: 'dynamodb' | 'json', status: number, type: string, message: string) {
  const prefix = protocol === 'dynamodb' ? 'com.amazonaws.dynamodb.v20120810#' : '';
  return {
    status,
    headers: {
      'content-type': `application/x-amz-json-${protocol === 'dynamodb' ? '1.0' : '1.1'}`,
      'x-amzn-errortype': type,
    },
    body: JSON.stringify({ __type: `${prefix}${type}`, message }),
  };
}

/**
 * The answer the service itself gives when it throttles a call or fails inside: DynamoDB's
 * `ProvisionedThroughputExceededException` (400) and `InternalServerError` (500), EC2's
 * `RequestLimitExceeded` (503) and `InternalError` (500), the JSON services'
 * `ThrottlingException` (400) and `InternalFailure` (500).
 *
 * @example
 * const answer = serviceError('ec2-query', 'throttle'); // 503, <Code>RequestLimitExceeded</Code>
 */
export function serviceError(protocol: Protocol, kind: 'throttle' | 'server-error'): FaultAnswer {
  if (protocol === 'ec2-query') {
    return kind === 'throttle'
      ? ec2Error(503, 'RequestLimitExceeded', 'Request limit exceeded.')
      : ec2Error(500, 'InternalError', 'An internal error has occurred.');
  }
  if (kind === 'server-error') {
    return protocol === 'dynamodb'
      ? jsonError(protocol, 500, 'InternalServerError', 'Internal server error')
      : jsonError(protocol, 500, 'InternalFailure', 'The request processing has failed.');
  }
  return protocol === 'dynamodb'
    ? jsonError(
        protocol,
        400,
        'ProvisionedThroughputExceededException',
        'The level of configured provisioned throughput for the table was exceeded.',
      )
    : jsonError(protocol, 400, 'ThrottlingException', 'Rate exceeded');
}
