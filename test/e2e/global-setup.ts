import type { TestProject } from 'vitest/node';
import { startMoto } from '../support/moto.js';

/** What the e2e tests get from the one moto server of the run (`inject('moto')`). */
export type MotoProvided = { endpoint: string } | { error: string };

declare module 'vitest' {
  export interface ProvidedContext {
    moto: MotoProvided;
  }
}

/**
 * Starts moto once per test run for the e2e project (the one-time pip install and the
 * server's start are paid once) and stops it after. When moto cannot be installed or started,
 * the other projects still run and every e2e test fails with the reason.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  try {
    // The first run installs moto for a minute or more: say so rather than sit silent.
    const moto = await startMoto((line) => console.log(line));
    console.log(
      `moto_server ${moto.endpoint} (pid ${moto.pid}) ready in ${Date.now() - started} ms`,
    );
    project.provide('moto', { endpoint: moto.endpoint });
    return () => moto.stop();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    project.provide('moto', { error: message });
    return async () => undefined;
  }
}
