import { describe, expect, it } from 'vitest';
import { steward } from './support.js';

// Each of these is refused before any AWS call: no server is needed to see the message.
describe('steward status: usage problems', () => {
  it.each([
    [
      ['--since', 'yesterday'],
      'steward status: --since must be an ISO 8601 time, epoch milliseconds or a time ago such as 30m, 12h or 7d, got "yesterday"',
    ],
    [
      ['--stage', 'prod east'],
      'steward status: --stage must be letters, digits and hyphens, got "prod east"',
    ],
    [
      ['--region', 'moon-1'],
      'steward status: --region must be a region code such as us-east-1, got "moon-1"',
    ],
    [['--namespace', ' '], 'steward status: --namespace must not be empty'],
  ])('refuses %j with exit 2', async (args, message) => {
    const run = await steward('status', '--region', 'us-east-1', ...args);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
  });

  it('refuses a --since that is not in the past, naming both times', async () => {
    const run = await steward('status', '--region', 'us-east-1', '--since', '2999-01-01T00:00:00Z');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^steward status: --since 2999-01-01T00:00:00\.000Z is not before now \(\d{4}-\d\d-\d\dT[\d:.]+Z\)\n$/,
    );
  });

  it('refuses an unknown option, and prints its usage for --help', async () => {
    const unknown = await steward('status', '--stages', 'prod');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^steward status: Unknown option '--stages'/);
    const help = await steward('status', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /^usage: steward status \[--stage S\] \[--region R\] \[--since 1h\] \[--namespace NS\] \[--json\]\n/,
    );
  });
});
