import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** The names Chromium's binary has in Debian (`chromium`) and Ubuntu (`chromium-browser`). */
const binaryNames = ['chromium', 'chromium-browser'];
/** How long one DevTools command may take: a page of the report renders in well under this. */
const commandTimeoutMs = 30_000;

/**
 * The Chromium binary on `PATH`. Missing, it is an error that says how to install it: CI
 * installs it, and a test that needs it fails rather than skips.
 *
 * @example
 * const binary = await findChromium(); // '/usr/bin/chromium'
 */
export async function findChromium(path = process.env.PATH ?? ''): Promise<string> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    for (const name of binaryNames) {
      const candidate = join(dir, name);
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not in this directory
      }
    }
  }
  throw new Error(
    `headless Chromium is needed to render the HTML report, and neither ${binaryNames.join(' nor ')} is on PATH: apt-get install chromium`,
  );
}

interface DevToolsMessage {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
}

/** A region of the page in CSS pixels, for a screenshot of part of it. */
export interface Clip {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
 * JSON messages ended by NUL on file descriptors 3 and 4), so no port and no WebSocket client
 * are needed. One page at a time: `open` a URL, then `evaluate`, `screenshot`, and read the
 * `requests` the page made.
 *
 * @example
 * const chromium = await HeadlessChromium.launch();
 * await chromium.open(pathToFileURL(file).href);
 * const png = await chromium.screenshot();
 * await chromium.close();
 */
export class HeadlessChromium {
  /** Every URL the open page requested, itself included. */
  readonly requests: string[] = [];
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (result: Record<string, unknown>) => void; reject: (error: Error) => void }
  >();
  private readonly listeners: ((message: DevToolsMessage) => void)[] = [];
  private sessionId: string | undefined;
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
    output: Readable,
    private readonly profile: string,
  ) {
    let buffered = '';
    // A pipe reset when Chromium dies is reported through 'exit', with its last output.
    output.on('error', () => undefined);
    input.on('error', () => undefined);
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
        this.receive(JSON.parse(buffered.slice(0, end)) as DevToolsMessage);
        buffered = buffered.slice(end + 1);
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      const error = new Error(
        `chromium exited (${signal ?? `code ${code}`}) with DevTools commands pending; its last output:\n${this.stderr}`,
      );
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  /** Starts headless Chromium with a scratch profile and a window of `width` × `height`. */
  static async launch(width = 1200, height = 900): Promise<HeadlessChromium> {
    const binary = await findChromium();
    // Chromium's singleton socket lives in TMPDIR and a Unix socket path may not pass 107
    // bytes: the nested scratch directories tests run in are too deep for it.
    const shortTmp = tmpdir().length > 40 ? '/tmp' : tmpdir();
    const profile = await mkdtemp(join(shortTmp, 'steward-chromium-'));
    const child = spawn(
      binary,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        '--no-first-run',
        '--no-default-browser-check',
        '--remote-debugging-pipe',
        `--user-data-dir=${profile}`,
        `--window-size=${width},${height}`,
        'about:blank',
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
        env: { ...process.env, TMPDIR: shortTmp },
      },
    );
    const chromium = new HeadlessChromium(
      child,
      child.stdio[3] as Writable,
      child.stdio[4] as Readable,
      profile,
    );
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(new Error(`cannot start ${binary}: ${error.message}`, { cause: error })),
      );
    });
    const { targetId } = await chromium.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await chromium.send('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    chromium.sessionId = String(sessionId);
    await chromium.send('Emulation.setDeviceMetricsOverride', {
      width,
      height,
      deviceScaleFactor: 1,
      mobile: false,
    });
    return chromium;
  }

  private receive(message: DevToolsMessage): void {
    if (message.id !== undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`DevTools: ${message.error.message}`));
      else waiter?.resolve(message.result ?? {});
      return;
    }
    if (message.method === 'Network.requestWillBeSent') {
      const request = message.params?.request as { url?: string } | undefined;
      if (request?.url !== undefined) this.requests.push(request.url);
    }
    for (const listener of [...this.listeners]) listener(message);
  }

  /** Sends one DevTools command (to the page once there is one) and waits for its result. */
  private send(
    method: string,
    params: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const message = {
      id,
      method,
      params,
      ...(this.sessionId ? { sessionId: this.sessionId } : {}),
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`DevTools ${method} took more than ${commandTimeoutMs / 1000} s`));
      }, commandTimeoutMs);
      this.pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.input.write(`${JSON.stringify(message)}\0`);
    });
  }

  /** The next event of the page named `method`. */
  private next(method: string): Promise<DevToolsMessage> {
    return new Promise((resolve) => {
      const listener = (message: DevToolsMessage) => {
        if (message.method !== method) return;
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        resolve(message);
      };
      this.listeners.push(listener);
    });
  }

  /** Opens `url` in the page and waits for its load event. */
  async open(url: string): Promise<void> {
    this.requests.length = 0;
    await this.send('Page.enable');
    await this.send('Network.enable');
    const loaded = this.next('Page.loadEventFired');
    const navigation = await this.send('Page.navigate', { url });
    if (navigation.errorText)
      throw new Error(`cannot open ${url}: ${String(navigation.errorText)}`);
    await loaded;
  }

  /** The value of a JavaScript expression in the page (awaited when it is a promise). */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = (await this.send('Runtime.evaluate', {
      expression,
      returnByValue: true,
      awaitPromise: true,
    })) as { result?: { value?: T }; exceptionDetails?: { text?: string } };
    if (exceptionDetails) throw new Error(`${expression}: ${exceptionDetails.text ?? 'threw'}`);
    return result?.value as T;
  }

  /** A PNG of the whole page, or of `clip` (in page coordinates), at one pixel per CSS pixel. */
  async screenshot(clip?: Clip): Promise<Buffer> {
    const area =
      clip ??
      (await this.evaluate<Clip>(
        '({ x: 0, y: 0, width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })',
      ));
    const { data } = await this.send('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true,
      clip: { ...area, scale: 1 },
    });
    return Buffer.from(String(data), 'base64');
  }

  /** Closes the browser and removes its profile. */
  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    this.sessionId = undefined;
    await this.send('Browser.close').catch(() => this.child.kill('SIGKILL'));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    await rm(this.profile, { recursive: true, force: true });
  }
}
