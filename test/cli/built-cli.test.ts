import { execFile, spawn } from 'node:child_process';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../support/files.js';
import { runSteward } from '../support/steward-process.js';
import { buildCli } from './support.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'steward-built-cli-'));
  await buildCli();
}, 60_000);

const commands = [
  'run',
  'sweep',
  'backtest',
  'ledger',
  'validate',
  'test',
  'explain',
  'patterns',
  'pack',
  'member-template',
  'completion',
  'actions',
  'operators',
  'facts',
  'replay',
  'trace',
  'status',
];

/**
 * A rule file of `id`, with one test that passes on `ec2-running.json` and, when `failing`, one
 * that fails.
 */
function ruleText(id: string, failing = false): string {
  const test = (name: string, fires: boolean) => [
    `  - name: ${name}`,
    '    eventFile: ec2-running.json',
    `    expect: { fires: ${fires} }`,
  ];
  return [
    `id: ${id}`,
    'description: x',
    'kind: audit',
    'severity: low',
    'triggers:',
    '  - source: ec2-state',
    '    states: [running]',
    'actions:',
    '  - action: audit.record',
    'tests:',
    ...test('a running instance fires it', true),
    ...(failing ? test('expects a running instance not to fire it', false) : []),
    '',
  ].join('\n');
}

async function rulesDir(name: string, rules: Record<string, string>): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  for (const [file, text] of Object.entries(rules)) await writeFile(join(dir, file), text);
  // The rules' tests read it: event files are read from inside the rules' project only.
  await copyFile(repoPath('events/ec2-running.json'), join(dir, 'ec2-running.json'));
  return dir;
}

describe('the built steward CLI', () => {
  it('prints its help, with every command and the exit codes, from the bundle', async () => {
    const help = await runSteward(['--help']);
    // No notice on stderr: the bundle just built is the one that ran.
    expect(help).toMatchObject({ code: 0, stderr: '' });
    for (const command of commands) expect(help.stdout).toContain(`steward ${command} `);
    // A command's further forms line up with the others.
    expect(help.stdout).toContain('\n  steward ledger show <key> [--json]\n');
    expect(help.stdout).toContain(
      'exit status:\n  0  done, nothing found\n  1  findings: invalid rules, failed tests, events or actions that failed\n  2  usage:',
    );
    const { version } = JSON.parse(await readFile(repoPath('package.json'), 'utf8')) as {
      version: string;
    };
    expect(await runSteward(['--version'])).toEqual({
      code: 0,
      stdout: `steward ${version}\n`,
      stderr: '',
    });
    expect(await runSteward(['test', '--help'])).toEqual({
      code: 0,
      stdout: 'usage: steward test [FILE|DIR]... [--rule ID]... [--verbose]\n',
      stderr: '',
    });
  });

  it('loads neither the AWS SDK nor dynalite for --help, nor the SDK for validate', async () => {
    const recorder = join(scratch, 'record-packages.cjs');
    await writeFile(
      recorder,
      [
        "const Module = require('node:module');",
        'const load = Module._load;',
        'const packages = new Set();',
        'Module._load = function (request, ...rest) {',
        "  if (/^[@a-z]/.test(request) && !request.startsWith('node:')) packages.add(request);",
        '  return load.call(this, request, ...rest);',
        '};',
        "process.on('exit', () => process.stderr.write(`loaded: ${[...packages].join(' ')}\\n`));",
      ].join('\n'),
    );
    const loaded = async (...args: string[]) => {
      const run = await runSteward(args, { node: ['--require', recorder] });
      return /loaded: (.*)\n$/.exec(run.stderr)?.[1]?.split(' ') ?? ['(nothing recorded)'];
    };
    expect(await loaded('--help')).toEqual(['']);
    const validate = await loaded('validate', 'rules');
    expect(validate).toContain('yaml');
    expect(validate.filter((name) => /^@aws-sdk\/|^dynalite$/.test(name))).toEqual([]);
  });

  it('exits 2 for an unknown command or option, with the usage', async () => {
    const unknown = await runSteward(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^steward: unknown command "frobnicate"\n/);
    expect(await runSteward(['validate', '--strict'])).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/^steward validate: Unknown option '--strict'/),
    });
    expect(await runSteward([])).toMatchObject({ code: 2, stdout: /^steward: / });
  });

  it('validates files and directories, several at once, as one pack', async () => {
    const one = await runSteward(['validate', 'rules/ec2-running-without-owner.yaml']);
    expect(one).toEqual({ code: 0, stdout: '1 rule file valid\n', stderr: '' });
    // A file deep in a rules directory is checked with that directory's named lists.
    const cis = await runSteward(['validate', 'rules/cis', 'rules/ec2-require-imdsv2.yaml']);
    expect(cis).toMatchObject({ code: 0, stdout: /^\d+ rule files valid\n$/, stderr: '' });
    const first = await rulesDir('pack-a', { 'same.yaml': ruleText('same-id') });
    const second = await rulesDir('pack-b', { 'same.yaml': ruleText('same-id') });
    const twice = await runSteward(['validate', first, second]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(
      `pack-b/same.yaml:1:5: duplicate rule id "same-id", first defined in ${join(first, 'same.yaml')}`,
    );
    // The same file named twice is read once.
    expect(await runSteward(['validate', first, join(first, 'same.yaml')])).toMatchObject({
      code: 0,
      stdout: '1 rule file valid\n',
    });
  });

  it('checks a single file with the named lists of the rules directory above it', async () => {
    const project = join(scratch, 'project-with-lists');
    await mkdir(join(project, 'rules/deep'), { recursive: true });
    await mkdir(join(project, 'config'));
    await writeFile(
      join(project, 'config/lists.yaml'),
      'lists:\n  watched: [i-0123456789abcdef0]\n',
    );
    const rule = join(project, 'rules/deep/listed.yaml');
    await writeFile(
      rule,
      ruleText('listed').replace(
        'actions:',
        'conditions:\n  all:\n    - fact: event\n      path: $.resources[0]\n      operator: inList\n      value: watched\nactions:',
      ),
    );
    expect(await runSteward(['validate', rule])).toEqual({
      code: 0,
      stdout: '1 rule file valid\n',
      stderr: '',
    });
    // Outside that project the list is unknown, and the problem says where.
    const alone = join(scratch, 'alone');
    await mkdir(alone);
    await copyFile(rule, join(alone, 'listed.yaml'));
    expect(await runSteward(['validate', join(alone, 'listed.yaml')])).toEqual({
      code: 1,
      stdout: '1 problem in 1 rule file\n',
      stderr: `${join(alone, 'listed.yaml')}:13:14: unknown list "watched"; lists defined: none\n`,
    });
  });

  it('exits 2 naming a rule file or directory that does not exist', async () => {
    expect(await runSteward(['validate', 'rules', 'rules/no-such-rule.yaml'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'steward validate: rules/no-such-rule.yaml: no such file or directory\n',
    });
    expect(await runSteward(['test', 'no-such-dir'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'steward test: no-such-dir: no such file or directory\n',
    });
  });

  it('tests the rules --rule names, every test with its result under --verbose', async () => {
    const dir = await rulesDir('tested', {
      'passing.yaml': ruleText('passing-rule'),
      'failing.yaml': ruleText('failing-rule', true),
      'other.yaml': ruleText('other-rule'),
    });
    const quiet = await runSteward(['test', dir]);
    expect(quiet.code).toBe(1);
    expect(quiet.stdout).toBe(
      `FAIL failing-rule › expects a running instance not to fire it (${join(dir, 'failing.yaml')})\n` +
        '  expected the rule not to fire, but it fired\n' +
        '3 passed, 1 failed\n',
    );
    const verbose = await runSteward([
      'test',
      join(dir, 'passing.yaml'),
      join(dir, 'failing.yaml'),
      '--verbose',
    ]);
    expect(verbose).toMatchObject({ code: 1, stderr: '' });
    expect(verbose.stdout).toBe(
      // In the order the files were named.
      'PASS passing-rule › a running instance fires it\n' +
        'PASS failing-rule › a running instance fires it\n' +
        `FAIL failing-rule › expects a running instance not to fire it (${join(dir, 'failing.yaml')})\n` +
        '  expected the rule not to fire, but it fired\n' +
        '2 passed, 1 failed\n',
    );
    expect(
      await runSteward(['test', dir, '--rule', 'passing-rule', '--rule', 'other-rule', '-v']),
    ).toEqual({
      code: 0,
      stdout:
        'PASS other-rule › a running instance fires it\n' +
        'PASS passing-rule › a running instance fires it\n' +
        '2 passed, 0 failed\n',
      stderr: '',
    });
  });

  it('exits 2 for a --rule that no rule given has, naming it and where it looked', async () => {
    const dir = await rulesDir('named', { 'passing.yaml': ruleText('passing-rule') });
    expect(await runSteward(['test', dir, '--rule', 'passing-rul', '--rule', 'x'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `steward test: --rule: no rule with id "passing-rul", "x" in ${dir}\n`,
    });
    expect(await runSteward(['test', dir, '--rule'])).toMatchObject({
      code: 2,
      stderr: /^steward test: Option '--rule <value>' argument missing/,
    });
  });

  it('ends quietly, with its exit status, when the reader of its output stops early (| head)', async () => {
    const child = spawn(process.execPath, [repoPath('bin/steward.js'), 'actions'], {
      cwd: repoPath('.'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Closed before the CLI has started: its first write meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('prints a bash completion script that completes commands, verbs and options', async () => {
    const script = await runSteward(['completion', 'bash']);
    expect(script).toMatchObject({ code: 0, stderr: '' });
    const file = join(scratch, 'steward.bash');
    await writeFile(file, script.stdout);
    const complete = async (...words: string[]) => {
      const { stdout } = await promisify(execFile)('bash', [
        '-c',
        `source ${file}; COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _steward; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ]);
      return stdout.split('\n').filter(Boolean);
    };
    expect(await complete('steward', 'le')).toEqual(['ledger']);
    expect(await complete('steward', '--v')).toEqual(['--version']);
    expect(await complete('steward', 'ledger', '')).toEqual([
      'list',
      'show',
      'stats',
      'export',
      'reset',
      'check',
    ]);
    expect(await complete('steward', 'test', '--')).toEqual(['--rule', '--verbose', '--help']);
    expect(await complete('steward', 'completion', '')).toEqual(['bash', 'zsh']);
  });

  it('prints a zsh completion script, and refuses another shell', async () => {
    const zsh = await runSteward(['completion', 'zsh']);
    expect(zsh).toMatchObject({ code: 0, stderr: '' });
    expect(zsh.stdout).toMatch(/^#compdef steward\n/);
    expect(zsh.stdout).toContain(`compadd -- ${commands.join(' ')} --help --version`);
    expect(zsh.stdout).toContain('    test) verbs=(); options=(--rule --verbose --help) ;;');
    expect(await runSteward(['completion', 'fish'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'steward completion: unknown shell "fish"; usage: steward completion bash|zsh\n',
    });
  });
});

describe('bin/steward.js', () => {
  /**
   * A checkout of its own: bin/steward.js, a bundle and a source `main` that say which ran,
   * and the repository's node_modules for tsx. The real bundle and sources are not touched.
   */
  async function checkout(): Promise<{ bin: string; bundle: string; source: string }> {
    const root = await mkdtemp(join(scratch, 'checkout-'));
    await mkdir(join(root, 'bin'));
    await mkdir(join(root, 'dist'));
    await mkdir(join(root, 'src/cli'), { recursive: true });
    await copyFile(repoPath('bin/steward.js'), join(root, 'bin/steward.js'));
    await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
    await symlink(repoPath('node_modules'), join(root, 'node_modules'));
    const source = join(root, 'src/cli/main.ts');
    await writeFile(
      source,
      "export async function main(args: string[]): Promise<number> {\n  process.stdout.write(`source ${args.join(' ')}\\n`);\n  return 3;\n}\n",
    );
    const bundle = join(root, 'dist/steward.cjs');
    await writeFile(
      bundle,
      "exports.main = async (args) => {\n  process.stdout.write(`bundle ${args.join(' ')}\\n`);\n  return 4;\n};\n",
    );
    await writeFile(
      join(root, 'dist/steward.inputs.json'),
      JSON.stringify({ bundle: 'dist/steward.cjs', inputs: ['src/cli/main.ts'] }),
    );
    const past = new Date(Date.now() - 60_000);
    await utimes(source, past, past);
    return { bin: join(root, 'bin/steward.js'), bundle, source };
  }

  it('runs the bundle, passing the arguments and the exit status', async () => {
    const { bin } = await checkout();
    expect(await runSteward(['a', 'b'], { bin })).toEqual({
      code: 4,
      stdout: 'bundle a b\n',
      stderr: '',
    });
  });

  it('runs the sources through tsx when STEWARD_FROM_SOURCE=1, without a notice', async () => {
    const { bin } = await checkout();
    expect(
      await runSteward(['x'], { bin, env: { ...process.env, STEWARD_FROM_SOURCE: '1' } }),
    ).toEqual({ code: 3, stdout: 'source x\n', stderr: '' });
  });

  it('runs the sources, with a one-line notice, when the bundle is older than one or missing', async () => {
    const { bin, bundle, source } = await checkout();
    const future = new Date(Date.now() + 60_000);
    await utimes(source, future, future);
    expect(await runSteward(['x'], { bin })).toEqual({
      code: 3,
      stdout: 'source x\n',
      stderr:
        'steward: running from source: dist/steward.cjs is older than src/cli/main.ts (npm run build)\n',
    });
    await rm(bundle);
    expect(await runSteward(['x'], { bin })).toEqual({
      code: 3,
      stdout: 'source x\n',
      stderr: 'steward: running from source: dist/steward.cjs is missing (npm run build)\n',
    });
  });
});
