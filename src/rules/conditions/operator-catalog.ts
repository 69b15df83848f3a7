import { builtInOperators, customOperators, type OperatorName } from './operators.js';

/** A JSON Schema (draft-07) for the `value` a condition gives an operator. */
export type ValueSchema = Record<string, unknown>;

/**
 * One operator as `steward operators` and the rule schema describe it: who provides it, when it
 * holds, the `value` it takes, and a condition that uses it.
 *
 * @example
 * const matches = operatorCatalog.get('matches')!;
 * console.log(matches.holds); // 'the string matches the regular expression …'
 */
export interface OperatorDescription {
  name: OperatorName;
  /** json-rules-engine's built-ins compare the whole value; steward's take a value or a list. */
  provider: 'json-rules-engine' | 'steward';
  /** When a condition with this operator holds, in a sentence. */
  holds: string;
  value: ValueSchema;
  /** A rule's `conditions:` using it; tests load it through the rule loader. */
  example: string;
}

type Entry = Omit<OperatorDescription, 'name' | 'provider' | 'example'> & {
  /** The one condition of the example, in YAML flow style. */
  condition: string;
};

const anyValue: ValueSchema = { description: 'any JSON value' };
const number: ValueSchema = { type: 'number' };
const text = (description: string): ValueSchema => ({ type: 'string', minLength: 1, description });
const yesNo: ValueSchema = { type: 'boolean' };
const cidrs: ValueSchema = {
  description: 'a CIDR range or a list of them, IPv4 or IPv6',
  oneOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
  ],
};
const duration: ValueSchema = {
  type: 'string',
  pattern: '^\\d{1,9}[smhdw]$',
  description: 'a duration: 45s, 30m, 12h, 90d, 2w',
};
const listName = text('the name of a list in config/lists.yaml');

/** Every operator, keyed so that adding one to `operators.ts` without describing it here fails to compile. */
const entries: Record<OperatorName, Entry> = {
  equal: {
    holds: 'the value is exactly the given one (the whole value: no element of a list)',
    value: anyValue,
    condition: '{fact: record, path: $.userIdentity.type, operator: equal, value: Root}',
  },
  notEqual: {
    holds: 'the value is not the given one; a value that is not there is not equal to it',
    value: anyValue,
    condition: '{fact: record, path: $.userIdentity.type, operator: notEqual, value: AWSService}',
  },
  in: {
    holds: 'the value is one of the listed values',
    value: { type: 'array', minItems: 1 },
    condition: '{fact: event, path: $.region, operator: in, value: [us-east-1, eu-west-1]}',
  },
  notIn: {
    holds: 'the value is none of the listed values',
    value: { type: 'array', minItems: 1 },
    condition: '{fact: event, path: $.region, operator: notIn, value: [us-east-1, eu-west-1]}',
  },
  contains: {
    holds: 'the value, an array, holds the given value',
    value: anyValue,
    condition:
      '{fact: instance, path: $.securityGroups, operator: contains, value: sg-0123456789abcdef0}',
  },
  doesNotContain: {
    holds: 'the value, an array, does not hold the given value',
    value: anyValue,
    condition:
      '{fact: instance, path: $.securityGroups, operator: doesNotContain, value: sg-0123456789abcdef0}',
  },
  lessThan: {
    holds: 'the value is a number below the given one',
    value: number,
    condition: '{fact: logGroup, path: $.retentionInDays, operator: lessThan, value: 90}',
  },
  lessThanInclusive: {
    holds: 'the value is a number at most the given one',
    value: number,
    condition: '{fact: logGroup, path: $.retentionInDays, operator: lessThanInclusive, value: 30}',
  },
  greaterThan: {
    holds: 'the value is a number above the given one',
    value: number,
    condition: '{fact: logGroup, path: $.retentionInDays, operator: greaterThan, value: 365}',
  },
  greaterThanInclusive: {
    holds: 'the value is a number at least the given one',
    value: number,
    condition:
      '{fact: logGroup, path: $.retentionInDays, operator: greaterThanInclusive, value: 400}',
  },
  matches: {
    holds: 'the string matches the regular expression (unanchored: use ^…$ for the whole string)',
    value: text(
      'a regular expression, RE2 syntax: no look-around or back-references; input capped at 1 MiB',
    ),
    condition:
      "{fact: record, path: $.message, operator: matches, value: 'sshd\\[\\d+\\]: Failed password'}",
  },
  notMatches: {
    holds: 'no string matches the regular expression',
    value: text('a regular expression, RE2 syntax'),
    condition: "{fact: record, path: $.userAgent, operator: notMatches, value: '^AWS Internal$'}",
  },
  glob: {
    holds: 'the string matches the glob: * any run of characters, ? one; anchored at both ends',
    value: text('a glob: * any run of characters, ? one'),
    condition:
      "{fact: record, path: $.requestParameters.bucketName, operator: glob, value: 'prod-*'}",
  },
  startsWith: {
    holds: 'the string starts with the value',
    value: text('the start'),
    condition: "{fact: event, path: $.actor.arn, operator: startsWith, value: 'arn:aws:sts::'}",
  },
  endsWith: {
    holds: 'the string ends with the value',
    value: text('the end'),
    condition:
      '{fact: record, path: $.errorCode, operator: endsWith, value: UnauthorizedOperation}',
  },
  inCidr: {
    holds: 'an address or range lies inside one of the CIDR ranges (IPv4 or IPv6)',
    value: cidrs,
    condition:
      '{fact: event, path: $.actor.sourceIp, operator: inCidr, value: [10.0.0.0/8, 192.0.2.0/24]}',
  },
  cidrOverlaps: {
    holds: 'a range overlaps one of the ranges',
    value: cidrs,
    condition:
      "{fact: securityGroup, path: '$.ingress[*].cidrs[*]', operator: cidrOverlaps, value: [10.0.0.0/8]}",
  },
  worldOpen: {
    holds: 'true: some range covers every address (0.0.0.0/0, ::/0); false: none does',
    value: yesNo,
    condition: '{fact: record, path: $.requestParameters.cidrIp, operator: worldOpen, value: true}',
  },
  exists: {
    holds: 'true: the value is there (not undefined, null or an empty array); false: it is not',
    value: yesNo,
    condition: '{fact: record, path: $.errorCode, operator: exists, value: true}',
  },
  absent: {
    holds: 'true: the value is not there; false: it is',
    value: yesNo,
    condition: '{fact: instance, path: $.tags.Owner, operator: absent, value: true}',
  },
  olderThan: {
    holds: 'the time (ISO 8601 or epoch milliseconds) is longer ago than the duration',
    value: duration,
    condition: '{fact: instance, path: $.launchTime, operator: olderThan, value: 90d}',
  },
  newerThan: {
    holds: 'the time is less long ago than the duration',
    value: duration,
    condition: '{fact: logGroup, path: $.creationTime, operator: newerThan, value: 1h}',
  },
  inList: {
    holds: 'the string is a member of the named list',
    value: listName,
    condition:
      "{fact: event, path: '$.resources[0]', operator: inList, value: quarantined-instances}",
  },
  notInList: {
    holds: 'no string is a member of the named list',
    value: listName,
    condition: '{fact: event, path: $.actor.arn, operator: notInList, value: break-glass-roles}',
  },
};

const stewardOperators: ReadonlySet<string> = new Set(customOperators);

/**
 * Every undecorated operator a condition may use, json-rules-engine's first, then steward's:
 * what `steward operators` lists and the rule schema enumerates.
 *
 * @example
 * operatorCatalog.get('inCidr')?.value; // { description: 'a CIDR range or a list of them …', oneOf: […] }
 */
export const operatorCatalog: ReadonlyMap<string, OperatorDescription> = new Map(
  [...builtInOperators, ...customOperators].map((name) => {
    const { condition, ...entry } = entries[name];
    const description: OperatorDescription = {
      name,
      provider: stewardOperators.has(name) ? 'steward' : 'json-rules-engine',
      ...entry,
      example: `conditions:\n  all:\n    - ${condition}`,
    };
    return [name, description];
  }),
);
