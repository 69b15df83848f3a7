/**
 * The backtest benchmark's corpus: an organization trail's archive as CloudTrail lays it out,
 * `AWSLogs/o-…/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<stamp>_<rand>.json.gz`,
 * accounts × regions × days, a few log files per day each, of realistic records
 * (`bench/realistic.ts`: mostly read calls no rule watches, a few of the calls the shipped rules
 * listen to) of the file's own account and region. Seeded, so every run reads the same tree;
 * written with real gzip to a temporary directory that `remove` deletes.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accounts as generatedAccounts, seededRandom } from './generate.js';
import { realisticRecords } from './realistic.js';
import { writeTrailFile } from './trail-file.js';

/** How large a corpus is and how it is spread over the tree. */
export interface CorpusShape {
  accounts: number;
  regions: number;
  days: number;
  /** Log files per account, region and day. */
  filesPerDay: number;
  /** Records over the whole corpus, spread unevenly over the files (half to one and a half the mean). */
  records: number;
  /** The share of records that are calls the shipped rules listen to. */
  watchedShare: number;
  seed: number;
}

/** One log file of the corpus. */
export interface CorpusFile {
  path: string;
  /** Its key under the corpus root, `AWSLogs/o-…/…`. */
  key: string;
  records: number;
  gzipBytes: number;
  jsonBytes: number;
}

/** A corpus on disk. */
export interface BacktestCorpus {
  /** The directory that holds `AWSLogs/`. */
  root: string;
  files: CorpusFile[];
  records: number;
  gzipBytes: number;
  jsonBytes: number;
  /** Deletes the whole tree. */
  remove: () => Promise<void>;
}

/** A full run's corpus: 4 accounts × 3 regions × 3 days × 6 files = 216 files, 540,000 records. */
export const fullCorpus: CorpusShape = {
  accounts: 4,
  regions: 3,
  days: 3,
  filesPerDay: 6,
  records: 540_000,
  watchedShare: 0.05,
  seed: 1717,
};

/** `--quick`: 2 × 2 × 2 × 5 = 40 files, 50,000 records. */
export const quickCorpus: CorpusShape = {
  accounts: 2,
  regions: 2,
  days: 2,
  filesPerDay: 5,
  records: 50_000,
  watchedShare: 0.05,
  seed: 1717,
};

/**
 * The full run's records in files ten times smaller: 2,160 files of about 250 records (about
 * 280 KB of JSON, 42 KB gzipped), what an account making under one call a second in a region
 * writes in five minutes. Each is within the record cap, so each is parsed whole
 * (`src/sources/whole-log-file.ts`); the full corpus's files, of 2,500 records, are read record
 * by record.
 */
export const smallFilesCorpus: CorpusShape = { ...fullCorpus, filesPerDay: 60 };

/** `--quick`'s records in 400 files of about 125 records. */
export const quickSmallFilesCorpus: CorpusShape = { ...quickCorpus, filesPerDay: 50 };

const organization = 'o-a1b2c3d4e5';
const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2', 'eu-central-1'];
const firstDay = Date.UTC(2025, 0, 15);
const dayMs = 24 * 60 * 60 * 1000;
/** CloudTrail delivers a file about every five minutes: its records span that much. */
const fileSpanMs = 5 * 60 * 1000;
const nameCharacters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `20250115T1005Z`, as CloudTrail stamps a file's name. */
function stamp(millis: number): string {
  return new Date(millis).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
}

/** Where each file goes and how many records it holds, before anything is written. */
function plan(shape: CorpusShape): Omit<CorpusFile, 'path' | 'gzipBytes' | 'jsonBytes'>[] {
  const random = seededRandom(shape.seed);
  const slots: { key: string; weight: number }[] = [];
  for (const account of generatedAccounts.slice(0, shape.accounts)) {
    for (const region of regions.slice(0, shape.regions)) {
      for (let day = 0; day < shape.days; day += 1) {
        const date = new Date(firstDay + day * dayMs).toISOString().slice(0, 10);
        for (let file = 0; file < shape.filesPerDay; file += 1) {
          const start = firstDay + day * dayMs + Math.floor((file * dayMs) / shape.filesPerDay);
          let suffix = '';
          for (let c = 0; c < 16; c += 1)
            suffix += nameCharacters[Math.floor(random() * nameCharacters.length)];
          const name = `${account}_CloudTrail_${region}_${stamp(start)}_${suffix}.json.gz`;
          slots.push({
            key: `AWSLogs/${organization}/${account}/CloudTrail/${region}/${date.replaceAll('-', '/')}/${name}`,
            weight: 0.5 + random(),
          });
        }
      }
    }
  }
  const totalWeight = slots.reduce((sum, slot) => sum + slot.weight, 0);
  let left = shape.records;
  return slots.map((slot, i) => {
    const records =
      i === slots.length - 1 ? left : Math.round((shape.records * slot.weight) / totalWeight);
    left -= records;
    return { key: slot.key, records };
  });
}

/** The account, region and first record's time a key names. */
function originOf(key: string, records: number) {
  const [, , account = '', , region = '', year, month, day, name = ''] = key.split('/');
  const time = /_(\d{8}T\d{4})Z_/.exec(name)?.[1] ?? '';
  const startMs = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(time.slice(9, 11)),
    Number(time.slice(11, 13)),
  );
  return { account, region, startMs, stepMs: fileSpanMs / Math.max(1, records) };
}

/**
 * Writes a corpus of `shape` under a new temporary directory, two files at a time (gzip runs
 * off the main thread while the next records are made).
 *
 * @example
 * const corpus = await writeBacktestCorpus(quickCorpus);
 * try { console.log(corpus.files.length, corpus.records); } finally { await corpus.remove(); }
 */
export async function writeBacktestCorpus(shape: CorpusShape): Promise<BacktestCorpus> {
  const root = await mkdtemp(join(tmpdir(), 'steward-bench-backtest-'));
  const remove = () => rm(root, { recursive: true, force: true });
  try {
    const planned = plan(shape);
    const files: CorpusFile[] = [];
    let next = 0;
    const writer = async () => {
      for (let i = next++; i < planned.length; i = next++) {
        const { key, records } = planned[i] as (typeof planned)[number];
        const path = join(root, key);
        await mkdir(join(path, '..'), { recursive: true });
        const written = await writeTrailFile(
          path,
          records,
          shape.seed + i,
          realisticRecords(shape.watchedShare, originOf(key, records)),
        );
        files[i] = {
          path,
          key,
          records,
          gzipBytes: written.gzipBytes,
          jsonBytes: written.jsonBytes,
        };
      }
    };
    await Promise.all([writer(), writer()]);
    const sum = (field: 'records' | 'gzipBytes' | 'jsonBytes') =>
      files.reduce((total, file) => total + file[field], 0);
    return {
      root,
      files,
      records: sum('records'),
      gzipBytes: sum('gzipBytes'),
      jsonBytes: sum('jsonBytes'),
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}
