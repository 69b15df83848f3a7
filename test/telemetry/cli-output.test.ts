import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PipelineReport } from '../../src/pipeline.js';
import { steward } from '../cli/support.js';
import { repoPath } from '../support/files.js';

beforeAll(async () => {
  process.env.STEWARD_DATA_DIR = await mkdtemp(join(tmpdir(), 'steward-cli-telemetry-'));
  process.env.STEWARD_METRICS_NAMESPACE = 'steward/test';
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('steward run --json', () => {
  it('prints the report alone, with no log line or metric document, whatever telemetry is set', async () => {
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
      written.push(String(chunk));
      return write(chunk, ...(rest as []));
    });
    const run = await steward('run', repoPath('events/cloudtrail-stop-logging.json'), '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as PipelineReport;
    expect(report.events[0]?.matches.map((match) => match.rule).sort()).toEqual([
      'cis-aws-4-5',
      'cloudtrail-logging-stopped',
    ]);
    expect(run.stdout).not.toMatch(/action outcome|invocation summary|"_aws"/);
    expect(written.join('')).not.toMatch(/action outcome|invocation summary|"_aws"/);
  });
});
