import {
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type ReturnValue,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall, type NativeAttributeValue } from '@aws-sdk/util-dynamodb';

/** An item, a key or expression values, as plain JavaScript values. */
export type Item = Record<string, NativeAttributeValue>;

export interface ItemUpdate {
  key: Item;
  update: string;
  condition?: string;
  names?: Record<string, string>;
  values?: Item;
  returnValues?: ReturnValue;
}

export interface ItemQuery {
  index?: string;
  keyCondition: string;
  names?: Record<string, string>;
  values?: Item;
  /** False for descending sort key order. */
  forward?: boolean;
  startKey?: Item;
}

export interface ItemPage {
  items: Item[];
  /** Where the next page starts; undefined on the last page. */
  lastKey?: Item;
}

/**
 * Undefined values (optional fields not given) are left out instead of refused, as the
 * document client did.
 */
const marshallOptions = { removeUndefinedValues: true };

function toAttributes(item: Item | undefined): Record<string, AttributeValue> | undefined {
  return item === undefined ? undefined : marshall(item, marshallOptions);
}

/**
 * Default options, as the document client's: numbers come back as JS numbers (bigints beyond
 * the safe integers), not wrapped.
 */
function fromAttributes(attributes: Record<string, AttributeValue> | undefined): Item | undefined {
  return attributes === undefined ? undefined : unmarshall(attributes);
}

/**
 * One DynamoDB table read and written with plain JavaScript values, through the low-level
 * client's commands: the marshalling the document client did, in one place. Lambda bundles
 * then take `@aws-sdk/client-dynamodb` from the runtime and bundle only the small, pure
 * `@aws-sdk/util-dynamodb`, with no document client wrapping a client of another SDK version.
 *
 * @example
 * const table = new ItemTable(client, 'steward-ledger');
 * const entry = await table.get({ pk: 'act_0123' }, { consistent: true });
 */
export class ItemTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  async get(key: Item, options: { consistent?: boolean } = {}): Promise<Item | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: toAttributes(key),
        ConsistentRead: options.consistent,
      }),
    );
    return fromAttributes(Item);
  }

  /**
   * Updates one item and returns the attributes `returnValues` asks for. A refused condition
   * throws ConditionalCheckFailedException, which `isConditionFailure` recognises.
   */
  async update(update: ItemUpdate): Promise<Item | undefined> {
    const { Attributes } = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: toAttributes(update.key),
        ConditionExpression: update.condition,
        UpdateExpression: update.update,
        ExpressionAttributeNames: update.names,
        ExpressionAttributeValues: toAttributes(update.values),
        ReturnValues: update.returnValues,
      }),
    );
    return fromAttributes(Attributes);
  }

  /** One page of a query. */
  async query(query: ItemQuery): Promise<ItemPage> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: query.index,
        KeyConditionExpression: query.keyCondition,
        ExpressionAttributeNames: query.names,
        ExpressionAttributeValues: toAttributes(query.values),
        ScanIndexForward: query.forward,
        ExclusiveStartKey: toAttributes(query.startKey),
      }),
    );
    return toPage(page.Items, page.LastEvaluatedKey);
  }

  /** One page of a scan of the whole table. */
  async scan(scan: { startKey?: Item } = {}): Promise<ItemPage> {
    const page = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        ExclusiveStartKey: toAttributes(scan.startKey),
      }),
    );
    return toPage(page.Items, page.LastEvaluatedKey);
  }
}

function toPage(
  items: Record<string, AttributeValue>[] | undefined,
  lastKey: Record<string, AttributeValue> | undefined,
): ItemPage {
  return {
    items: (items ?? []).map((item) => unmarshall(item)),
    lastKey: fromAttributes(lastKey),
  };
}
