#!/usr/bin/env node
// The steward CLI runs from the TypeScript sources through tsx, so it is never out of date with them.
import { register } from 'tsx/esm/api';

// Lambda runs Node 22; the SDK's warning about local Node 20 says nothing a user can act on here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
