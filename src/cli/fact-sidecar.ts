import type { AwsClients } from '../aws-clients.js';
import {
  describeSidecarFacts,
  FactSidecarError,
  offlineFacts,
  type SidecarFacts,
} from '../facts/sidecar.js';
import type { Output } from './output.js';
import { UsageError } from './output.js';

/**
 * For `steward run FILE` without `--facts`: the lazy facts of FILE's sidecar when no AWS
 * credentials are found, said on stderr (stdout may be `--json`); a sidecar that cannot be used
 * is a usage error naming it.
 *
 * @example
 * const sidecar = await sidecarFactsFor('events/ec2-running.json', runtime.clients.home, output);
 * await processBatch(batch, { ...runtime, factStubs: sidecar?.facts });
 */
export async function sidecarFactsFor(
  eventFile: string,
  clients: AwsClients,
  output: Output,
): Promise<SidecarFacts | undefined> {
  try {
    const sidecar = await offlineFacts(eventFile, clients);
    if (sidecar) output.err(describeSidecarFacts(sidecar));
    return sidecar;
  } catch (error) {
    if (error instanceof FactSidecarError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}
