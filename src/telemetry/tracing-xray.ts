import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Subsegment } from 'aws-xray-sdk-core';
import type { ActionResult } from '../execution/request.js';
import type { ActionStatus } from '../report.js';
import type { ActionAnnotations, Tracing } from './observer.js';

/** The metadata namespace of what steward records on its subsegments. */
const metadataNamespace = 'steward';

/** Outcomes X-Ray should show as errors of the action's subsegment, in its service map. */
const erroneousStatuses: ReadonlySet<ActionStatus> = new Set(['failed', 'unknown']);

/**
 * X-Ray tracing with Powertools Tracer: SDK clients instrumented with `captureAWSv3Client`, and
 * each action a subsegment `### <action>` annotated with its rule, action, event and status.
 * Powertools Tracer traces only in Lambda (`AWS_EXECUTION_ENV`) and only when not turned off
 * (`POWERTOOLS_TRACE_ENABLED=false`); elsewhere, `sls invoke local` included, every method
 * passes through.
 *
 * @example
 * const tracing = new XRayTracing();
 * const dynamo = tracing.captureClient(new DynamoDBClient({}));
 * const result = await tracing.action({ rule, action, eventId }, () => executeAction(request, context));
 */
export class XRayTracing implements Tracing {
  constructor(private readonly tracer: Tracer = new Tracer({ serviceName: 'steward' })) {}

  captureClient<T extends object>(client: T): T {
    return this.tracer.captureAWSv3Client(client);
  }

  action(annotations: ActionAnnotations, run: () => Promise<ActionResult>): Promise<ActionResult> {
    if (!this.tracer.isTracingEnabled()) return run();
    // captureAsyncFunc runs its function in a context of its own, whose segment is the new
    // subsegment: the AWS calls of concurrent actions each land under their own action.
    return new Promise((resolve, reject) => {
      this.tracer.provider.captureAsyncFunc(`### ${annotations.action}`, (subsegment) =>
        inSubsegment(subsegment, annotations, run).then(resolve, reject),
      );
    });
  }
}

/** Runs the action and records on its subsegment what it was and how it ended. */
async function inSubsegment(
  subsegment: Subsegment | undefined,
  annotations: ActionAnnotations,
  run: () => Promise<ActionResult>,
): Promise<ActionResult> {
  // No subsegment when there is no segment to add it to (outside an invocation).
  if (subsegment === undefined) return run();
  subsegment.addAnnotation('rule', annotations.rule);
  subsegment.addAnnotation('action', annotations.action);
  subsegment.addAnnotation('eventId', annotations.eventId);
  let result: ActionResult;
  try {
    result = await run();
  } catch (error) {
    subsegment.close(error instanceof Error ? error : String(error));
    throw error;
  }
  const { status, resource, detail } = result.report;
  subsegment.addAnnotation('status', status);
  subsegment.addMetadata('resource', resource, metadataNamespace);
  if (detail !== undefined) subsegment.addMetadata('detail', detail, metadataNamespace);
  if (erroneousStatuses.has(status)) subsegment.addErrorFlag();
  subsegment.close();
  return result;
}
