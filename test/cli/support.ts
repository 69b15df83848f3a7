import { main } from '../../src/cli/main.js';

/** What one `steward` command printed, and its exit status. */
export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `steward` in-process, as the `steward` binary would, capturing what it prints. */
export async function steward(...argv: string[]): Promise<CommandRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    out: (text) => (stdout += `${text}\n`),
    err: (text) => (stderr += `${text}\n`),
  });
  return { code, stdout, stderr };
}
