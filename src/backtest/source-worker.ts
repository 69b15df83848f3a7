import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * The code of a worker thread that runs a TypeScript module from source: it registers tsx and
 * imports `entry` (a worker does not inherit the main thread's loader). Run it with
 * `new Worker(script, { eval: true })`. tsx's API module is found from its package file, which
 * resolves the same under tsx, vitest and plain Node.
 *
 * @example
 * new Worker(sourceWorkerScript(new URL('./worker.ts', import.meta.url)), { eval: true });
 */
export function sourceWorkerScript(entry: URL): string {
  const tsx = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = new URL('dist/esm/api/index.mjs', pathToFileURL(tsx)).href;
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
}
