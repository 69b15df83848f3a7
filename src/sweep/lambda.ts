/**
 * The sweep function: EventBridge invokes it on each schedule trigger's schedule with
 * `{"rule": "<rule id>", "schedule": "<its schedule>"}`, and it sweeps that rule's triggers on
 * that schedule in every configured account and region
 * (`STEWARD_SWEEP_ACCOUNTS`, `STEWARD_SWEEP_REGIONS`; by default its own).
 */
import type { Context } from 'aws-lambda';
import { StewardError } from '../errors.js';
import { describeValue, isObject } from '../json/fields.js';
import { rulePackFile } from '../lambda.js';
import { invocationOf } from '../lambda-context.js';
import { readRulePack } from '../rules/pack.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { runSweep, sweepIncomplete, type SweepSummary } from './run-sweep.js';
import { SweepRuleError } from './sweep-rule.js';
import { targetsFromEnv } from './targets.js';
import { FunctionTelemetry, type TelemetryOptions } from '../telemetry/function-telemetry.js';
import type { InvocationEnd } from '../telemetry/invocation-telemetry.js';

/** How many of a sweep's errors an error message lists. */
const errorsListed = 20;

/** The sweep function's name in serverless.yml: its `Function` dimension and log field. */
const functionName = 'sweep';

/**
 * A payload that is not a sweep's input, saying what it got.
 *
 * @example
 * throw new SweepInputError('expected {"rule": "<rule id>"}; got an array');
 */
export class SweepInputError extends StewardError {
  constructor(message: string) {
    super(`sweep input: ${message}`);
    this.name = 'SweepInputError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * Thrown after the whole sweep, when a target could not be described, time ran out or an event
 * must be delivered again, so Lambda runs the sweep again (what was done is in the ledger, and
 * is `duplicate` then) and, in the end, its on-failure destination keeps the input.
 */
export class SweepIncompleteError extends StewardError {
  constructor(readonly summary: SweepSummary) {
    const listed = summary.errors
      .slice(0, errorsListed)
      .map((error) => `${error.where}: ${error.message}`);
    const more = summary.errors.length - listed.length + (summary.moreErrors ?? 0);
    if (more > 0) listed.push(`and ${more} more`);
    super(`the sweep of rule ${summary.rule} is incomplete: ${listed.join('; ')}`);
    this.name = 'SweepIncompleteError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** What a sweep's input asks: the rule, and the schedule that invoked it when one did. */
interface SweepInput {
  rule: string;
  schedule?: string;
}

/** The rule id of a sweep's input, and its schedule. */
function inputOf(event: unknown): SweepInput {
  if (!isObject(event))
    throw new SweepInputError(`expected {"rule": "<rule id>"}; got ${describeValue(event)}`);
  const { rule, schedule } = event;
  if (typeof rule !== 'string' || rule === '')
    throw new SweepInputError(
      `expected {"rule": "<rule id>"}; "rule" is ${rule === '' ? 'empty' : describeValue(rule)}`,
    );
  if (schedule === undefined) return { rule };
  if (typeof schedule !== 'string' || schedule === '')
    throw new SweepInputError(
      `expected {"rule": "<rule id>", "schedule": "<its schedule>"}; "schedule" is ${schedule === '' ? 'empty' : describeValue(schedule)}`,
    );
  return { rule, schedule };
}

/**
 * The sweep function of one container: its runtime (rules, ledger, clients) is built on the
 * first invocation and kept.
 *
 * @example
 * const sweeps = new SweepFunction();
 * await sweeps.handle({ rule: 'sweep-instances-without-owner' }, context);
 */
export class SweepFunction {
  private runtime?: Promise<Runtime>;
  private readonly telemetry: FunctionTelemetry;

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    telemetry: Omit<TelemetryOptions, 'env'> = {},
  ) {
    this.telemetry = new FunctionTelemetry(functionName, { ...telemetry, env });
  }

  /**
   * Sweeps the rule the input names (only its triggers on the input's schedule, if named);
   * throws `SweepInputError` or `SweepIncompleteError`. Its log lines and metrics are written
   * before it returns or throws: the resources swept are its `EventsReceived`.
   */
  async handle(event: unknown, context: Context): Promise<SweepSummary> {
    const where = `${functionName} invocation ${context.awsRequestId}`;
    let input: SweepInput;
    let runtime: Runtime;
    try {
      input = inputOf(event);
      runtime = await this.built();
    } catch (error) {
      const failed = this.telemetry.begin(context);
      failed.invocationFailed(
        error,
        error instanceof SweepInputError ? 'input' : 'internal',
        where,
      );
      failed.end();
      throw error;
    }
    const { account, remainingTimeMs } = invocationOf(context);
    if (account !== undefined) runtime.clients.knowHomeAccount(account);
    const observer = this.telemetry.begin(context, { account, region: runtime.clients.region });
    const stopTiming = runtime.connection.timing.listen((ms) => observer.ledgerCall(ms));
    let summary: SweepSummary | undefined;
    try {
      const home = {
        account: await runtime.clients.lookUpHomeAccount(),
        region: runtime.clients.region,
      };
      summary = await runSweep(
        {
          ...input,
          targets: targetsFromEnv(this.env, home),
          ...(remainingTimeMs ? { remainingTimeMs } : {}),
        },
        {
          whatIf: false,
          context: {
            ...runtime,
            observer,
            ...(remainingTimeMs ? { remainingTimeMs } : {}),
          },
        },
      );
    } catch (error) {
      // A rule the input names that cannot be swept is the input's fault, not steward's.
      observer.invocationFailed(
        error,
        error instanceof SweepRuleError ? 'input' : 'internal',
        where,
      );
      throw error;
    } finally {
      stopTiming();
      observer.end(summary === undefined ? {} : sweepEnd(summary));
    }
    if (sweepIncomplete(summary)) throw new SweepIncompleteError(summary);
    return summary;
  }

  private built(): Promise<Runtime> {
    this.runtime ??= createRuntime({
      rules: () => readRulePack(rulePackFile(this.env)),
      env: this.env,
    }).catch((error: unknown) => {
      this.runtime = undefined;
      throw error;
    });
    return this.runtime;
  }
}

/** A sweep's summary line: its rule and what it described, beside the counts; the summary whole at DEBUG. */
function sweepEnd(summary: SweepSummary): InvocationEnd {
  return {
    report: summary,
    fields: {
      rule: summary.rule,
      resources: summary.resources,
      targets: summary.targets.length,
      describeCalls: summary.describeCalls,
      describeMs: summary.describeMs,
    },
  };
}

const container = new SweepFunction();

/**
 * The Lambda entry point of the sweep function.
 *
 * @example
 * export const handler = middy().handler(sweepHandler);
 */
export function sweepHandler(event: unknown, context: Context): Promise<SweepSummary> {
  return container.handle(event, context);
}
