import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startWebServerProcess, testToken } from './web-server';

/** Debian's Chromium; never a Playwright download. */
export const CHROMIUM = process.env['XENITH_CHROMIUM'] ?? '/usr/bin/chromium';

/** The flags this machine's closed network needs (see DEVELOPERS notes). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** A browser-mode Xenith on a fresh demo host, plus a Chromium pointed at it. */
export interface WebApp {
  url: string;
  origin: string;
  token: string;
  stateDir: string;
  proc: ChildProcess;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Screenshot into test-results/NAME.png. */
  shot(name: string, page?: Page): Promise<string>;
  /** Screenshots NAME-1400x900 and NAME-1024x700 (the sizes the app is checked at), then back to 1400x900. */
  shots(name: string): Promise<void>;
  /** Opens `route` (e.g. "/console/web01/text") in `p`, a new tab of this context: the token goes in its fragment. */
  openIn(p: Page, route: string): Promise<void>;
  /** Fails the calling test when any page of this context threw since the last call (and forgets them). */
  expectNoPageErrors(): void;
  /** Stops Chromium and the server; `keepState` leaves the state directory for a restart on it (startWebApp's stateDir). */
  stop(o?: { keepState?: boolean }): Promise<void>;
}

/** Options for startWebApp. */
export interface WebAppOptions {
  demoDomains?: number;
  colorScheme?: 'light' | 'dark';
  env?: Record<string, string>;
  viewport?: { width: number; height: number };
  /** Command-line arguments instead of the demo host, e.g. ['--host', 'root@127.0.0.1', ...] for the real test host. */
  args?: string[];
  /** The state directory (demo host and data) of an earlier run stopped with keepState: a restart of the same app. */
  stateDir?: string;
}

/** Starts `node dist/main/web.cjs --demo` on a temp state dir, waits for its URL, opens Chromium on it. */
export async function startWebApp(o: WebAppOptions = {}): Promise<WebApp> {
  const stateDir = o.stateDir ?? mkdtempSync(join(tmpdir(), 'xenith-e2e-'));
  const token = testToken();
  const { proc, url } = await startWebServerProcess(o.args ?? ['--demo', '--demo-state', stateDir], {
    XENITH_WEB_TOKEN: token,
    XENITH_DATA_DIR: join(stateDir, 'data'),
    ...(o.demoDomains !== undefined ? { XENITH_DEMO_DOMAINS: String(o.demoDomains) } : {}),
    ...o.env,
  }, 30_000);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({
    viewport: o.viewport ?? { width: 1360, height: 860 },
    colorScheme: o.colorScheme ?? 'light',
  });
  const errors: string[] = [];
  // Every page of the context, including tabs a test opens later.
  context.on('page', (p) => p.on('pageerror', (e) => errors.push(`${p.url()}: ${String(e)}`)));
  const page = await context.newPage();
  await page.goto(url);
  mkdirSync('test-results', { recursive: true });
  const shot = async (name: string, p: Page = page): Promise<string> => {
    const path = join('test-results', `${name}.png`);
    await p.screenshot({ path });
    return path;
  };
  return {
    url,
    origin: new URL(url).origin,
    token,
    stateDir,
    proc,
    browser,
    context,
    page,
    shot,
    async shots(name) {
      for (const [w, h] of [[1400, 900], [1024, 700]] as const) {
        await page.setViewportSize({ width: w, height: h });
        await shot(`${name}-${w}x${h}`);
      }
      await page.setViewportSize({ width: 1400, height: 900 });
    },
    async openIn(p, route) {
      await p.goto(`${new URL(url).origin}/#token=${token}`);
      await p.waitForFunction(() => location.hash === '#/');
      await p.goto(`${new URL(url).origin}/#${route}`);
    },
    expectNoPageErrors() {
      const seen = errors.splice(0);
      if (seen.length > 0) throw new Error(`page errors:\n${seen.join('\n')}`);
    },
    async stop(so = {}) {
      await browser.close().catch(() => undefined);
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      }
      if (!so.keepState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
