/**
 * `npm run build` (also run by `npm ci` through `prepare`): bundles the `steward` CLI into one
 * file, `dist/steward.cjs`, which `bin/steward.js` runs, so the CLI starts without compiling
 * TypeScript, and beside it `backtest-worker.cjs`, the entry of `steward backtest`'s worker
 * threads (a thread starts from a file of its own). It lists the sources it was built from in `dist/steward.inputs.json`, for
 * `bin/steward.js` to notice a bundle older than its sources.
 *
 * CommonJS, because in a CommonJS bundle a module reached only by `import()` (every command)
 * requires its npm packages when it first runs; an ES module bundle would hoist their imports
 * to the top, and `steward --help` would load the AWS SDK. npm packages stay external:
 * `node_modules` is used as installed.
 *
 * @example
 * node scripts/build-cli.js            # dist/steward.cjs
 * node scripts/build-cli.js out/cli.cjs
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const root = dirname(import.meta.dirname);
const outfile = process.argv[2] ?? join(root, 'dist', 'steward.cjs');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // An install without devDependencies: bin/steward.js runs the sources through tsx instead.
  console.error('steward: esbuild is not installed; the CLI will run from its TypeScript sources');
  process.exit(0);
}

// The sources are ES modules; in the CommonJS bundle, import.meta.url and import.meta.resolve
// answer for the bundle's own file, as they would for a module at its place.
const banner = [
  '"use strict";',
  'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;',
  'const importMetaResolve = (name) => require("node:url").pathToFileURL(require.resolve(name)).href;',
].join('\n');

/** One CommonJS bundle of `entry`, in memory. */
const bundle = (entry) =>
  esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    define: { 'import.meta.url': 'importMetaUrl', 'import.meta.resolve': 'importMetaResolve' },
    banner: { js: banner },
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'warning',
  });

try {
  const [result, worker] = await Promise.all([
    bundle('src/cli/main.ts'),
    bundle('src/backtest/worker.ts'),
  ]);
  const inputs = [
    ...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(worker.metafile.inputs)]),
  ].sort();
  await mkdir(dirname(outfile), { recursive: true });
  // Written aside and renamed into place: a steward starting meanwhile reads the old bundle or
  // the new one, never half of one.
  const write = async (file, contents) => {
    const aside = `${file}.${process.pid}.tmp`;
    await writeFile(aside, contents);
    await rename(aside, file);
  };
  await write(outfile, result.outputFiles[0].contents);
  await write(join(dirname(outfile), 'backtest-worker.cjs'), worker.outputFiles[0].contents);
  await write(
    outfile.replace(/\.cjs$/, '.inputs.json'),
    `${JSON.stringify({ bundle: relative(root, outfile), inputs }, null, 2)}\n`,
  );
} catch (error) {
  // esbuild has printed each error with its file and line.
  console.error(`steward: the CLI bundle was not built: ${error.message.split('\n')[0]}`);
  process.exit(1);
}
