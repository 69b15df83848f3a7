import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePythonTool } from './python-tools.js';

/**
 * A virtualenv whose `python -m pip install` only creates the command, so that what
 * `ensurePythonTool` says around an install is seen without a network or a minute of pip.
 */
async function venvWithQuickPip(command: string): Promise<string> {
  const venv = await mkdtemp(join(tmpdir(), 'steward-venv-'));
  await mkdir(join(venv, 'bin'));
  const python = join(venv, 'bin', 'python');
  const tool = join(venv, 'bin', command);
  await writeFile(python, `#!/bin/sh\nprintf '#!/bin/sh\\n' > '${tool}'\nchmod +x '${tool}'\n`);
  await chmod(python, 0o755);
  return venv;
}

describe.skipIf(process.platform === 'win32')('ensurePythonTool', () => {
  it('says what it installs, where, and how long it took, in one line before and one after', async () => {
    const venv = await venvWithQuickPip('moto_server');
    const said: string[] = [];
    const tool = await ensurePythonTool(['moto[server]>=5.1,<6'], 'moto_server', venv, (line) =>
      said.push(line),
    );
    expect(tool).toBe(join(venv, 'bin', 'moto_server'));
    expect(said).toHaveLength(2);
    expect(said[0]).toBe(
      `installing moto[server]>=5.1,<6 into ${venv} with pip (first run only, about a minute)`,
    );
    expect(said[1]).toMatch(
      new RegExp(`^installed moto\\[server\\]>=5\\.1,<6 into ${venv} in \\d+\\.\\d s$`),
    );
  });

  it('says nothing when the command is installed already', async () => {
    const venv = await venvWithQuickPip('moto_server');
    await ensurePythonTool(['moto[server]'], 'moto_server', venv);
    const said: string[] = [];
    await ensurePythonTool(['moto[server]'], 'moto_server', venv, (line) => said.push(line));
    expect(said).toEqual([]);
  });
});
