import { main } from '../../src/cli/main.js';
import type { Output } from '../../src/cli/output.js';
import type { CommandRun } from './support.js';

/** What a command is given beside its arguments: stdin's bytes, a terminal's answer to a question. */
export interface CommandInput {
  stdin?: string | Uint8Array;
  /** Plays a terminal on stdin and stderr that answers every question so. */
  answer?: string;
}

/** Runs `steward` in-process with the input given, capturing what it prints and what it asked. */
export async function stewardWith(
  input: CommandInput,
  ...argv: string[]
): Promise<CommandRun & { asked: string[] }> {
  let stdout = '';
  let stderr = '';
  const asked: string[] = [];
  const bytes = typeof input.stdin === 'string' ? Buffer.from(input.stdin) : input.stdin;
  const output: Output = {
    out: (text) => (stdout += text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => (stderr += text.endsWith('\n') ? text : `${text}\n`),
    ...(bytes === undefined
      ? {}
      : {
          stdin: async function* () {
            yield bytes;
          },
        }),
    ...(input.answer === undefined
      ? {}
      : {
          ask: (question: string) => {
            asked.push(question);
            return Promise.resolve(input.answer ?? '');
          },
        }),
  };
  const code = await main(argv, output);
  return { code, stdout, stderr, asked };
}
