import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** Global secondary indexes: the ledger queried by rule and by resource, newest first. */
export const ledgerIndexes = {
  byRule: { name: 'byRule', partitionKey: 'ruleId', sortKey: 'createdAt' },
  byResource: { name: 'byResource', partitionKey: 'resource', sortKey: 'createdAt' },
} as const;

/**
 * The ledger table as the embedded server and the local test servers create it.
 * `serverless.yml` declares the same table for AWS; a test keeps the two equal.
 */
export function ledgerTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'ruleId', AttributeType: 'S' },
      { AttributeName: 'resource', AttributeType: 'S' },
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
 * Creates the ledger table where it does not exist yet, and waits until it is active: for local
 * DynamoDB servers, which start empty (on AWS the stack owns the table).
 *
 * @example
 * await ensureLedgerTable(client, 'steward-dev-ledger');
 */
export async function ensureLedgerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  let status: string | undefined;
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    status = Table?.TableStatus;
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
  // A table being created answers "not found" to reads and writes until it is active.
  for (let waited = 0; status !== 'ACTIVE'; waited += 25) {
    if (waited > 30_000)
      throw new Error(`the ledger table ${tableName} did not become active (${status})`);
    await new Promise((resolve) => setTimeout(resolve, waited === 0 ? 0 : 25));
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    status = Table?.TableStatus;
  }
}
