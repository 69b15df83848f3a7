import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FactSidecarError, readFactSidecar, sidecarFileOf } from '../../src/facts/sidecar.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steward-sidecar-'));
});

async function sidecar(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('sidecarFileOf', () => {
  it('replaces the extension of a JSON or gzipped JSON event file with .facts.json', () => {
    expect(sidecarFileOf('events/ec2-running.json')).toBe('events/ec2-running.facts.json');
    expect(sidecarFileOf('logs/trail.json.gz')).toBe('logs/trail.facts.json');
    expect(sidecarFileOf('events/raw-event')).toBe('events/raw-event.facts.json');
  });
});

describe('readFactSidecar', () => {
  it('reads lazy fact values by name', async () => {
    const file = await sidecar('good.facts.json', '{"instance": {"tags": {}}, "trail": null}');
    expect(await readFactSidecar(file)).toEqual({ instance: { tags: {} }, trail: null });
  });

  it('is undefined when there is no sidecar', async () => {
    expect(await readFactSidecar(join(dir, 'absent.facts.json'))).toBeUndefined();
  });

  it('refuses JSON that does not parse, saying where', async () => {
    const file = await sidecar('broken.facts.json', '{\n  "instance": {,\n}');
    await expect(readFactSidecar(file)).rejects.toThrow(FactSidecarError);
    await expect(readFactSidecar(file)).rejects.toThrow(
      `${file}: invalid JSON at line 2, column 16: expected a property name in double quotes`,
    );
  });

  it('refuses what is not an object of lazy facts, naming the file', async () => {
    const list = await sidecar('list.facts.json', '[{"instance": {}}]');
    await expect(readFactSidecar(list)).rejects.toThrow(
      `${list}: expected a JSON object of lazy fact values by fact name`,
    );
    const named = await sidecar('event-fact.facts.json', '{"detail": {}}');
    await expect(readFactSidecar(named)).rejects.toThrow(
      `${named}: unknown facts detail; lazy facts: instance, securityGroup, launchedBy, trail, logGroup`,
    );
  });

  it('refuses a directory in its place', async () => {
    const file = join(dir, 'dir.facts.json');
    await mkdir(file);
    await expect(readFactSidecar(file)).rejects.toThrow(
      `${file}: a directory, not a regular file: refused`,
    );
  });
});
