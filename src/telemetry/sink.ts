/**
 * Where telemetry lines go: one JSON document per call, without its line break. The functions
 * write to stdout as it is, not through `console`, which Lambda's runtime would prefix with
 * text of its own, so CloudWatch keeps every line as JSON and finds the metrics in it.
 *
 * @example
 * const lines: string[] = [];
 * const sink: LineSink = (line) => lines.push(line);
 */
export type LineSink = (line: string) => void;

/**
 * The functions' sink: each line on stdout, as it is.
 *
 * @example
 * stdoutSink(JSON.stringify({ message: 'invocation summary' }));
 */
export const stdoutSink: LineSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * A sink that drops every line: for a benchmark, so the terminal's speed does not count.
 *
 * @example
 * new FunctionTelemetry('cloudtrail', { sink: nullSink });
 */
export const nullSink: LineSink = () => undefined;
