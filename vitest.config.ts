import { configDefaults, defineConfig } from 'vitest/config';

// CI asks for a JSON report too (STEWARD_TEST_REPORT=path), to print one closing count.
const jsonReport = process.env.STEWARD_TEST_REPORT;

export default defineConfig({
  test: {
    // Each project names its own test files: projects that extend this config would add to an
    // `include` given here, not replace it.
    testTimeout: 30_000,
    // The handlers log one JSON line per invocation: shown for a test that fails, where it
    // helps, and kept out of the output of those that pass.
    silent: 'passed-only',
    hookTimeout: 60_000,
    // Scratch directories go under one directory of the run, removed at its end.
    globalSetup: ['test/support/scratch-root.ts'],
    reporters: jsonReport ? ['default', 'json'] : ['default'],
    ...(jsonReport ? { outputFile: { json: jsonReport } } : {}),
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/e2e/**'],
        },
      },
      {
        // End to end against the AWS API emulator moto, started once for the run (and
        // installed into .venv on first use); only when e2e tests are selected.
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/scratch-root.ts', 'test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});
