import { StewardError, messageOf } from '../errors.js';
import type { ActionRequest } from '../execution/request.js';
import { telemetryEnvironment } from './names.js';
import type { ActionAnnotations, Tracing } from './observer.js';

/**
 * A `STEWARD_TRACING` that is neither `true` nor `false`, saying what it got.
 *
 * @example
 * throw new TracingSettingError('yes');
 */
export class TracingSettingError extends StewardError {
  constructor(readonly value: string) {
    super(`${telemetryEnvironment.tracing} must be true or false, got "${value}"`);
    this.name = 'TracingSettingError';
    // A setting to correct, not a crash: Lambda and `sls invoke local` show the stack as the error.
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * Tracing that records nothing: clients are returned as they are and actions simply run.
 *
 * @example
 * const ec2 = untraced.captureClient(new EC2Client({})); // the same client
 */
export const untraced: Tracing = {
  captureClient: (client) => client,
  action: (_annotations, run) => run(),
};

/**
 * The tracing the environment asks for: X-Ray through Powertools Tracer when `STEWARD_TRACING`
 * is `true`, else `untraced`. The X-Ray SDK is imported only then, so a function deployed
 * without tracing neither loads it nor patches Node's HTTP modules. Throws
 * `TracingSettingError` for any other value than `true`, `false` or none.
 *
 * @example
 * const tracing = await tracingFromEnv(process.env);
 * const ec2 = tracing.captureClient(new EC2Client({}));
 */
export async function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  const setting = env[telemetryEnvironment.tracing];
  if (setting === undefined || setting === '' || setting === 'false') return untraced;
  if (setting !== 'true') throw new TracingSettingError(setting);
  try {
    const { XRayTracing } = await import('./tracing-xray.js');
    return new XRayTracing();
  } catch (error) {
    throw new TracingNotPackagedError(error);
  }
}

/**
 * `STEWARD_TRACING=true` in a function packaged without the X-Ray SDK: `sls package` bundles
 * it only with `--param="tracing=true"`, which also sets the variable.
 *
 * @example
 * throw new TracingNotPackagedError(new Error("Cannot find module '@aws-lambda-powertools/tracer'"));
 */
export class TracingNotPackagedError extends StewardError {
  constructor(cause: unknown) {
    super(
      `${telemetryEnvironment.tracing} is true, but this function was packaged without the X-Ray SDK: deploy with --param="tracing=true" (${messageOf(cause)})`,
      { cause },
    );
    this.name = 'TracingNotPackagedError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * What an action's subsegment is annotated with: its rule, action and event.
 *
 * @example
 * await tracing.action(actionAnnotations(request), () => executeAction(request, execution));
 */
export function actionAnnotations({ event, rule, planned }: ActionRequest): ActionAnnotations {
  return { rule: rule.id, action: planned.definition.name, eventId: event.id };
}
