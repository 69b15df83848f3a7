import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

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
