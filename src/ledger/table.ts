import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  waitUntilTableExists,
  waitUntilTableNotExists,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/**
 * The one definition of the ledger table: the embedded server and local test servers create it
 * from `ledgerTableDefinition`, and the stack's `LedgerTable` is generated from the same keys
 * and indexes by `ledgerTableResource`.
 */

/**
 * Global secondary indexes: the ledger queried by rule, by resource and by event (every action
 * of one event, both modes), in the order entries were created. Adding one to a deployed table
 * is one stack update: DynamoDB builds it from the entries already there.
 */
export const ledgerIndexes = {
  byRule: { name: 'byRule', partitionKey: 'ruleId', sortKey: 'createdAt' },
  byResource: { name: 'byResource', partitionKey: 'resource', sortKey: 'createdAt' },
  byEvent: { name: 'byEvent', partitionKey: 'eventId', sortKey: 'createdAt' },
} as const;

/** The attribute that holds an entry's expiry, in epoch seconds, for DynamoDB's TTL. */
export const ledgerExpiryAttribute = 'expiresAt';

/**
 * The ledger table's name in a deployed stack.
 *
 * @example
 * ledgerTableName('steward', 'prod'); // 'steward-prod-ledger'
 */
export function ledgerTableName(service: string, stage: string): string {
  return `${service}-${stage}-ledger`;
}

/**
 * The ledger table as the embedded server and the local test servers create it.
 *
 * @example
 * await client.send(new CreateTableCommand(ledgerTableDefinition('steward-dev-ledger')));
 */
export function ledgerTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'ruleId', AttributeType: 'S' },
      { AttributeName: 'resource', AttributeType: 'S' },
      { AttributeName: 'eventId', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: Object.values(ledgerIndexes).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

/**
 * The ledger table as the stack declares it (`LedgerTable`): the same keys and indexes, with
 * what only AWS has (expiry by TTL, point-in-time recovery, encryption, deletion protection).
 *
 * @example
 * ledgerTableResource('steward-prod-ledger', true).Properties.DeletionProtectionEnabled; // true
 */
export function ledgerTableResource(tableName: string, deletionProtection: boolean) {
  const { TableName, BillingMode, AttributeDefinitions, KeySchema, GlobalSecondaryIndexes } =
    ledgerTableDefinition(tableName);
  return {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      TableName,
      BillingMode,
      AttributeDefinitions,
      KeySchema,
      GlobalSecondaryIndexes,
      TimeToLiveSpecification: { AttributeName: ledgerExpiryAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: deletionProtection,
      SSESpecification: { SSEEnabled: true },
    },
  };
}

/**
 * Creates the ledger table where it does not exist yet, and waits until it is active: for local
 * DynamoDB servers, which start empty (on AWS the stack owns the table).
 *
 * @example
 * await ensureLedgerTable(client, 'steward-dev-ledger');
 */
export async function ensureLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    try {
      await client.send(new CreateTableCommand(ledgerTableDefinition(tableName)));
    } catch (createError) {
      // Two processes may race to create it; the loser finds it there.
      if (!(createError instanceof Error && createError.name === 'ResourceInUseException'))
        throw createError;
    }
  }
  // A table being created answers "not found" to reads and writes until it is active. Local
  // servers create tables in milliseconds, so the first waits are short.
  try {
    await waitUntilTableExists(
      { client, maxWaitTime: 30, minDelay: 0.025, maxDelay: 1 },
      { TableName: tableName },
    );
  } catch (error) {
    throw new Error(`the ledger table ${tableName} did not become active within 30 s`, {
      cause: error,
    });
  }
}

/**
 * Deletes the ledger table with everything in it and creates it afresh: for the embedded
 * ledger only (`steward ledger reset`); on AWS the stack owns the table, and it is protected.
 *
 * @example
 * await recreateLedgerTable(client, 'steward-dev-ledger');
 */
export async function recreateLedgerTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    await waitUntilTableNotExists(
      { client, maxWaitTime: 30, minDelay: 0.025, maxDelay: 1 },
      { TableName: tableName },
    );
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await ensureLedgerTable(client, tableName);
}
