import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';
import { startWebServerProcess, testToken, type WebServerProcess } from './support/web-server';

// Browser mode's token in a real Chromium: it never reaches another local server (it is in no cookie), and two Xenith
// servers on one machine, open in one browser, both keep working.

describe('the browser-mode token', () => {
  let app: WebApp;
  let second: WebServerProcess;
  let secondDir: string;
  let spy: Server;
  const secondToken = testToken('second');
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    app = await startWebApp();
    secondDir = mkdtempSync(join(tmpdir(), 'xenith-e2e-second-'));
    second = await startWebServerProcess(['--demo', '--demo-state', secondDir], { XENITH_WEB_TOKEN: secondToken, XENITH_DATA_DIR: join(secondDir, 'data'), XENITH_DEMO_DOMAINS: '3' }, 30_000);
    // Another program listening on 127.0.0.1: it records everything the browser sends it.
    spy = createServer((req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'text/html', 'Access-Control-Allow-Origin': '*' }).end('<!doctype html><title>spy</title>');
    });
    await new Promise<void>((r) => spy.listen(0, '127.0.0.1', r));
  }, 90_000);
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
    second?.proc.kill('SIGTERM');
    await new Promise((r) => spy?.close(r));
    rmSync(secondDir, { recursive: true, force: true });
  });

  it('takes the token out of the address bar and sends it to no other local server', async () => {
    const { page } = app;
    await page.getByTestId('status-toolstack').filter({ hasText: 'Connected' }).waitFor();
    expect(page.url()).not.toContain(app.token);
    const spyUrl = `http://127.0.0.1:${(spy.address() as AddressInfo).port}`;
    // The app's own page may not even ask another server (its CSP allows only its own origin)...
    await expect(page.evaluate((u) => fetch(`${u}/from-page`, { credentials: 'include' }).then((r) => r.status), spyUrl)).rejects.toThrow(/Failed to fetch/);
    // ...and a visit in another tab of the same browser, and a credentialed request from there, carry nothing of ours.
    const tab = await app.context.newPage();
    await tab.goto(`${spyUrl}/visit`);
    await tab.evaluate(() => fetch('/from-spy', { credentials: 'include' }).then((r) => r.status));
    await tab.close();
    expect(seen.map((s) => s.url).filter((u) => u !== '/favicon.ico')).toEqual(['/visit', '/from-spy']);
    for (const s of seen) {
      expect(JSON.stringify(s.headers)).not.toContain(app.token);
      expect(s.headers.cookie).toBeUndefined();
    }
    expect(await app.context.cookies()).toEqual([]);
  });

  it('keeps two Xenith servers side by side working in one browser, and survives a reload', async () => {
    const { page } = app;
    const other = await app.context.newPage();
    try {
      await other.goto(second.url);
      await other.getByTestId('status-toolstack').filter({ hasText: 'Connected' }).waitFor();
      await other.getByTestId('domain-count').filter({ hasText: 'of 4 shown' }).waitFor();
      // The first one is still connected and still lists its own demo host.
      await page.bringToFront();
      await page.reload();
      await page.getByTestId('status-toolstack').filter({ hasText: 'Connected' }).waitFor();
      await page.goto(`${app.origin}/#/domains`);
      await page.getByTestId('domain-count').filter({ hasText: /of \d+ shown/ }).waitFor();
      const first = await page.getByTestId('domain-count').textContent();
      expect(first).not.toContain('of 4 shown');
      await other.reload();
      await other.getByTestId('status-toolstack').filter({ hasText: 'Connected' }).waitFor();
      await app.shot('token-second-server', other);
    } finally {
      await other.close();
    }
  });

  it('tells a person who opened the page without the token what to do', async () => {
    const fresh = await app.browser.newContext();
    try {
      const p = await fresh.newPage();
      await p.goto(`${app.origin}/`);
      await p.getByRole('heading', { name: 'Open the address Xenith printed' }).waitFor();
      await p.screenshot({ path: 'test-results/token-missing.png' });
    } finally {
      await fresh.close();
    }
  });
});
