import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/**
 * A bare Chrome DevTools Protocol client over `--remote-debugging-pipe`, for benches that must not be disturbed by
 * their own instrument. Playwright enables the Network domain and asks for every WebSocket frame's payload, so with
 * Playwright attached each byte of console output is also serialised by the browser and parsed by the test process;
 * here only what the bench asks for crosses the pipe.
 */
export class CdpBrowser {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  private readonly listeners = new Set<(method: string, params: unknown, sessionId?: string) => void>();
  private buffered: Buffer[] = [];

  private constructor(
    private readonly proc: ChildProcess,
    private readonly profileDir: string,
  ) {
    const out = proc.stdio[4] as Readable;
    out.on('data', (chunk: Buffer) => this.receive(chunk));
    proc.on('exit', () => {
      for (const w of this.waiting.values()) w.reject(new Error(`chromium exited during ${w.method}`));
      this.waiting.clear();
    });
  }

  /** Starts Chromium headless with `args`, talking CDP on fds 3 (to the browser) and 4 (from it). */
  static launch(executable: string, args: readonly string[]): CdpBrowser {
    const profileDir = mkdtempSync(join(tmpdir(), 'xenith-bench-chromium-'));
    const proc = spawn(executable, [...args, '--remote-debugging-pipe', `--user-data-dir=${profileDir}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
    });
    return new CdpBrowser(proc, profileDir);
  }

  private receive(chunk: Buffer): void {
    let at = chunk.indexOf(0);
    if (at === -1) {
      this.buffered.push(chunk);
      return;
    }
    let start = 0;
    while (at !== -1) {
      this.buffered.push(chunk.subarray(start, at));
      const text = Buffer.concat(this.buffered).toString('utf8');
      this.buffered = [];
      this.dispatch(JSON.parse(text) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown; sessionId?: string });
      start = at + 1;
      at = chunk.indexOf(0, start);
    }
    if (start < chunk.length) this.buffered.push(chunk.subarray(start));
  }

  private dispatch(msg: { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: unknown; sessionId?: string }): void {
    if (msg.id !== undefined) {
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (msg.error) w?.reject(new Error(`${w.method}: ${msg.error.message}`));
      else w?.resolve(msg.result);
    } else if (msg.method) {
      for (const l of this.listeners) l(msg.method, msg.params, msg.sessionId);
    }
  }

  /** Sends one command (to a target when `sessionId` is given) and waits for its result. */
  send<T = unknown>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    const inp = this.proc.stdio[3] as Writable;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      inp.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  on(listener: (method: string, params: unknown, sessionId?: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens a page of the given size and attaches to it. */
  async newPage(width: number, height: number): Promise<CdpPage> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    const page = new CdpPage(this, sessionId);
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    return page;
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) resolve();
      else this.proc.once('exit', () => resolve());
    });
    await this.send('Browser.close').catch(() => undefined);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}

/** One attached page. */
export class CdpPage {
  constructor(
    private readonly browser: CdpBrowser,
    readonly sessionId: string,
  ) {}

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.browser.send<T>(method, params, this.sessionId);
  }

  /** Navigates and waits for the load event. */
  async goto(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve) => {
      const off = this.browser.on((method, _p, sessionId) => {
        if (sessionId === this.sessionId && method === 'Page.loadEventFired') {
          off();
          resolve();
        }
      });
    });
    const res = await this.send<{ errorText?: string }>('Page.navigate', { url });
    if (res.errorText) throw new Error(`navigation to ${url} failed: ${res.errorText}`);
    await loaded;
  }

  /** Runs `source` before any script of every document this page loads. */
  async addInitScript(source: string): Promise<void> {
    await this.send('Page.addScriptToEvaluateOnNewDocument', { source });
  }

  /** Evaluates an expression in the page (promises are awaited) and returns its JSON value. */
  async evaluate<T>(expression: string): Promise<T> {
    const res = await this.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    if (res.exceptionDetails) throw new Error(`in the page: ${res.exceptionDetails.exception?.description ?? res.exceptionDetails.text}`);
    return res.result.value as T;
  }

  /** Polls `expression` until it is truthy. */
  async waitFor(expression: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(`Boolean(${expression})`))) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Presses and releases one printable key, as a user would (keydown with its text, then keyup). */
  async press(key: string): Promise<void> {
    const code = `Key${key.toUpperCase()}`;
    const vk = key.toUpperCase().charCodeAt(0);
    await this.send('Input.dispatchKeyEvent', { type: 'keyDown', key, code, text: key, unmodifiedText: key, windowsVirtualKeyCode: vk });
    await this.send('Input.dispatchKeyEvent', { type: 'keyUp', key, code, windowsVirtualKeyCode: vk });
  }
}
