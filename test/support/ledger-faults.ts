import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Which ledger call a DynamoDB request is, from its input. */
export type LedgerCall = 'claim' | 'complete' | 'release' | 'guard' | 'read' | 'other';

/**
 * `fail`: the call never reaches the server and fails; `drop`: the server applies it, and its
 * response is lost (the caller sees a timeout).
 */
export type LedgerFault = 'fail' | 'drop';

interface LedgerInput {
  Key?: { pk?: { S?: string } };
  ConditionExpression?: string;
  UpdateExpression?: string;
}

export function ledgerCallOf(operation: string, input: LedgerInput): LedgerCall {
  const key = input.Key?.pk?.S ?? '';
  if (operation === 'GetItemCommand') return 'read';
  if (operation !== 'UpdateItemCommand') return 'other';
  if (/^(rate|cooldown|seen)#/.test(key)) return 'guard';
  const condition = input.ConditionExpression ?? '';
  const update = input.UpdateExpression ?? '';
  if (condition.includes('attribute_not_exists(pk)') || condition.includes(':staleToken'))
    return 'claim';
  if (update.includes('completionToken')) return 'complete';
  if (update.startsWith('SET leaseUntil = :now')) return 'release';
  return 'other';
}

/**
 * Injects faults into a DynamoDB client's ledger calls, as a middleware ahead of the SDK's own
 * retries (so what it injects is what the ledger code sees once the SDK gave up). Each rule
 * fires for the calls it names, `times` times (default once); `calls` counts every call seen.
 *
 * @example
 * const faults = injectLedgerFaults(testLedger.client);
 * faults.add('complete', 'drop');
 */
export function injectLedgerFaults(client: DynamoDBClient) {
  const rules: { call: LedgerCall; fault: LedgerFault; left: number }[] = [];
  const calls: LedgerCall[] = [];
  const timeout = () =>
    Object.assign(new Error('the response was lost (injected)'), { name: 'TimeoutError' });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const call = ledgerCallOf(context.commandName ?? '', args.input as LedgerInput);
      calls.push(call);
      const rule = rules.find((candidate) => candidate.call === call && candidate.left > 0);
      if (!rule) return next(args);
      rule.left -= 1;
      if (rule.fault === 'fail')
        throw Object.assign(new Error('We encountered an internal error (injected)'), {
          name: 'InternalServerError',
          $fault: 'server',
          $metadata: { httpStatusCode: 500 },
        });
      await next(args);
      throw timeout();
    },
    { step: 'initialize', name: 'injectLedgerFaults' },
  );
  return {
    calls,
    add(call: LedgerCall, fault: LedgerFault, times = 1) {
      rules.push({ call, fault, left: times });
    },
    clear() {
      rules.length = 0;
      calls.length = 0;
    },
  };
}
