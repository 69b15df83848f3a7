#!/usr/bin/env node
// Runs the compiled CLI, dist/steward.cjs (`npm run build`, also run by `npm ci`), so that it
// starts without compiling TypeScript. STEWARD_FROM_SOURCE=1 runs src/ through tsx instead; so
// does a missing bundle or one older than a source it was built from, with a one-line notice:
// a developer's edit must take effect, not be shadowed by a stale build.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

// Lambda runs Node 22; the SDK's warning about local Node 20 says nothing a user can act on here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = `${dirname(import.meta.dirname)}/`;

/** Why the bundle cannot be run (missing, or older than one of its sources), or undefined. */
function bundleProblem() {
  let built;
  try {
    built = statSync(`${root}dist/steward.cjs`).mtimeMs;
  } catch {
    return 'dist/steward.cjs is missing';
  }
  let inputs;
  try {
    ({ inputs } = JSON.parse(readFileSync(`${root}dist/steward.inputs.json`, 'utf8')));
  } catch {
    return 'dist/steward.inputs.json is missing';
  }
  for (const input of inputs) {
    let changed;
    try {
      changed = statSync(`${root}${input}`).mtimeMs;
    } catch {
      return `${input}, which it was built from, is gone`;
    }
    if (changed > built) return `dist/steward.cjs is older than ${input}`;
  }
  return undefined;
}

async function loadMain() {
  if (process.env.STEWARD_FROM_SOURCE !== '1') {
    const problem = bundleProblem();
    if (problem === undefined) return createRequire(import.meta.url)('../dist/steward.cjs').main;
    process.stderr.write(`steward: running from source: ${problem} (npm run build)\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('../src/cli/main.ts')).main;
}

// A reader that stops early (`steward run … | head`) closes the pipe: that ends the output, it
// is not an error to report with a stack.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const main = await loadMain();
process.exitCode = await main(process.argv.slice(2));
