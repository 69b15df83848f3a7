import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { LogFileEvaluator } from '../src/backtest/evaluate-log-file.js';
import type { LogFileRef } from '../src/backtest/log-file-ref.js';
import { logFileChunks } from '../src/backtest/read-log-file.js';
import { loadRules } from '../src/rules/load.js';
import { writeTrailFile } from './trail-file.js';
const dir = await mkdtemp(join(tmpdir(), 'prof-'));
const refs: LogFileRef[] = [];
for (let i = 0; i < 40; i++) { const path = join(dir, `t${i}.json.gz`); await writeTrailFile(path, 2500, 1000 + i); refs.push({ kind: 'file', path, bytes: 0 }); }
const ev = new LogFileEvaluator({ rules: await loadRules('rules'), query: { sources: [] } });
const s3 = () => Promise.resolve(new S3Client({}));
for (let r = 0; r < 6; r++) { const t = performance.now(); let n = 0; for (const ref of refs) n += (await ev.evaluate(ref, logFileChunks(ref, s3))).totals.records; console.log(n / ((performance.now() - t) / 1000)); }
