import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseWorkerEvent } from '../../src/backtest/aws/messages.js';
import { partialKey, runPrefix } from '../../src/backtest/aws/result-keys.js';
import { repoPath } from '../support/files.js';

const definitionFile = repoPath('backtest/state-machine.asl.json');
const definition = JSON.parse(readFileSync(definitionFile, 'utf8'));
const map = definition.States['Evaluate log files'];

/** The npm asl-validator, run as CI runs it: its exit status and what it printed. */
async function validate(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      repoPath('node_modules/.bin/asl-validator'),
      args,
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('the backtest state machine (backtest/state-machine.asl.json)', () => {
  it('is valid Amazon States Language to asl-validator', async () => {
    const { code, output } = await validate(['--json-path', definitionFile]);
    expect(output).toContain(`State machine definition "${definitionFile}" is valid`);
    expect(code).toBe(0);
  });

  it('is refused by asl-validator when broken, so the check can fail', async () => {
    const wrongMode = structuredClone(definition);
    wrongMode.States['Evaluate log files'].ItemProcessor.ProcessorConfig.Mode = 'DISTRIBUTE';
    const modeCheck = await validate(['--json-definition', JSON.stringify(wrongMode)]);
    expect(modeCheck.code).toBe(1);
    expect(modeCheck.output).toContain(
      '/States/Evaluate log files/ItemProcessor/ProcessorConfig/Mode is invalid',
    );
    const dangling = structuredClone(definition);
    dangling.States['Evaluate log files'].Next = 'Nowhere';
    const nextCheck = await validate(['--json-definition', JSON.stringify(dangling)]);
    expect(nextCheck.code).toBe(1);
    expect(nextCheck.output).toContain("Missing 'StartAt'|'Next'|'Default' target: Nowhere");
  });

  it('maps a Distributed Map of standard child executions over the S3 listing of the input’s bucket and prefix', () => {
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({
      Mode: 'DISTRIBUTED',
      ExecutionType: 'STANDARD',
    });
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:listObjectsV2',
      Parameters: { 'Bucket.$': '$.bucket', 'Prefix.$': '$.prefix' },
    });
    expect(map.MaxConcurrencyPath).toBe('$.maxConcurrency');
    expect(map.ToleratedFailurePercentage).toBeGreaterThan(0);
    expect(definition.States.Defaults.Parameters).toEqual({ maxConcurrency: 100 });
  });

  it('batches the listing with what the worker reads: the batch’s items and the run’s input', () => {
    expect(map.ItemBatcher.MaxItemsPerBatch).toBeGreaterThan(0);
    expect(map.ItemBatcher.MaxInputBytesPerBatch).toBeLessThanOrEqual(256 * 1024);
    // The batch as the map would build it from the run's input, checked by the worker's parser.
    const run = {
      runId: 'r1',
      bucket: 'trail',
      prefix: 'AWSLogs/',
      query: { sources: ['s3://trail/AWSLogs/'], since: '2026-10-01T00:00:00.000Z' },
      resultsPrefix: runPrefix('r1'),
    };
    const batchInput = Object.fromEntries(
      Object.entries(map.ItemBatcher.BatchInput as Record<string, string>).map(([name, value]) =>
        name.endsWith('.$')
          ? [name.slice(0, -2), run[value.slice(2) as keyof typeof run]]
          : [name, value.replace('${ResultsBucket}', 'results')],
      ),
    );
    const item = { Key: 'AWSLogs/1/x.json.gz', Size: 10 };
    expect(Object.keys(map.ItemSelector).map((name) => name.replace(/\.\$$/, ''))).toEqual(
      Object.keys(item),
    );
    expect(parseWorkerEvent({ Items: [item], BatchInput: batchInput })).toEqual({
      Items: [item],
      BatchInput: {
        runId: 'r1',
        bucket: 'trail',
        query: run.query,
        resultsBucket: 'results',
        resultsPrefix: 'runs/r1/',
      },
    });
  });

  it('retries the worker and the reducer when Lambda throttles', () => {
    const worker = map.ItemProcessor.States['Evaluate a batch'];
    const reducer = definition.States['Merge partial results'];
    for (const task of [worker, reducer]) {
      expect(task.Resource).toBe('arn:aws:states:::lambda:invoke');
      expect(task.Retry[0].ErrorEquals).toContain('Lambda.TooManyRequestsException');
    }
    expect(worker.Parameters.FunctionName).toBe('${WorkerFunctionArn}');
    expect(reducer.Parameters.FunctionName).toBe('${ReducerFunctionArn}');
    expect(map.Next).toBe('Merge partial results');
    expect(reducer.End).toBe(true);
  });
});

describe('partial result keys', () => {
  it('name a batch by its object keys in any order, so a retried batch overwrites its own partial', () => {
    const keys = ['AWSLogs/1/b.json.gz', 'AWSLogs/1/a.json.gz'];
    const key = partialKey('runs/r1/', keys);
    expect(key).toMatch(/^runs\/r1\/partials\/[0-9a-f]{40}\.json$/);
    expect(partialKey('runs/r1/', [...keys].reverse())).toBe(key);
    expect(partialKey('runs/r1/', keys.slice(0, 1))).not.toBe(key);
    expect(partialKey('runs/r2/', keys)).not.toBe(key);
  });
});
