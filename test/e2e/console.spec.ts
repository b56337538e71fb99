import { afterEach, afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startWebApp, type WebApp } from './support/harness';
import { termText, waitForTermText as waitForText } from './support/terminal';

/** Average colour of a horizontal band of the noVNC canvas, as [r,g,b]. */
async function canvasBand(page: Page, y0: number, y1: number): Promise<{ w: number; h: number; green: number }> {
  return page.evaluate(
    ([a, b]) => {
      const c = document.querySelector('[data-testid="vnc-screen"] canvas') as HTMLCanvasElement | null;
      if (!c) return { w: 0, h: 0, green: 0 };
      const ctx = c.getContext('2d');
      if (!ctx) return { w: c.width, h: c.height, green: 0 };
      const img = ctx.getImageData(0, a!, c.width, b! - a!).data;
      // Count bright-green pixels: the demo server draws typed text in (120,255,120).
      let green = 0;
      for (let i = 0; i < img.length; i += 4) if (img[i + 1]! > 200 && img[i]! < 160 && img[i + 2]! < 160) green++;
      return { w: c.width, h: c.height, green };
    },
    [y0, y1],
  );
}

/** Waits until the demo display shows more typed (bright green) pixels than `than`; resolves with the count. */
async function waitForMoreGreen(page: Page, than: number): Promise<number> {
  const h = await page.waitForFunction(
    (n) => {
      const c = document.querySelector('[data-testid="vnc-screen"] canvas') as HTMLCanvasElement | null;
      const ctx = c?.getContext('2d');
      if (!c || !ctx) return false;
      const img = ctx.getImageData(0, 0, c.width, c.height).data;
      let green = 0;
      for (let i = 0; i < img.length; i += 4) if (img[i + 1]! > 200 && img[i]! < 160 && img[i + 2]! < 160) green++;
      return green > n + 50 ? green : false;
    },
    than,
    { timeout: 10_000 },
  );
  return (await h.jsonValue()) as number;
}

/** Calls one channel of the app over its own WebSocket from the page, with the token this tab holds. */
async function callApi(page: Page, channel: string, args: unknown): Promise<unknown> {
  return page.evaluate(
    ([c, a]) =>
      new Promise((resolve) => {
        const w = new WebSocket(`ws://${location.host}/ws`, ['xenith', `xenith-token.${sessionStorage.getItem('xenith-token') ?? ''}`]);
        w.onopen = () => w.send(JSON.stringify({ t: 'req', id: 1, channel: c, args: a }));
        w.onmessage = (ev: MessageEvent<string>) => {
          const m = JSON.parse(ev.data) as { t: string; id?: number; res?: unknown };
          if (m.t === 'res' && m.id === 1) {
            w.close();
            resolve(m.res);
          }
        };
      }),
    [channel, args] as const,
  );
}

describe('embedded consoles in browser mode, on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp();
    await app.context.addInitScript(() => {
      window.__xenithTestHooks = {};
    });
    // What the page sends to main over its WebSocket (to see the terminal's answers reach console:write).
    app.page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(typeof f.payload === 'string' ? f.payload : f.payload.toString())));
  });
  const sent: string[] = [];
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('opens a text console, logs in, runs a command and reads its output', async () => {
    const { page } = app;
    // A fresh document, so the init script that creates the test hooks runs (a hash change alone keeps the old one).
    await page.goto('about:blank');
    await page.goto(`${app.origin}/#/console/web01/text`);
    await page.getByTestId('text-console').waitFor();
    await page.locator('[data-testid="console-state"]', { hasText: 'Connected' }).waitFor();
    await waitForText(page, /web01 login: $/m);
    await page.locator('.console-term').click();
    await page.keyboard.type('root\r');
    await waitForText(page, /root@web01:~# $/m);
    await page.keyboard.type('echo hello-from-xterm\r');
    const text = await waitForText(page, /^hello-from-xterm$/m);
    expect(text).toMatch(/root@web01:~# echo hello-from-xterm\n/);
    await page.keyboard.type('uname -a\r');
    await waitForText(page, /Linux web01 6\.1\.0-50-amd64/);
    await app.shot('console-text-web01');
  });

  it('answers a cursor-position query itself (ESC[6n) instead of showing it', async () => {
    const { page } = app;
    const reply = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const t = window.__xenithTestHooks?.console?.term;
          if (!t) return resolve('no terminal');
          const sub = t.onData((d) => {
            sub.dispose();
            resolve(d);
          });
          t.write('\x1b[6n');
        }),
    );
    expect(reply).toMatch(/^\x1b\[\d+;\d+R$/);
    // The same answer went to the guest through console:write.
    await expect
      .poll(() => sent.some((f) => f.includes('"console:write"') && /\\u001b\[\d+;\d+R/.test(f)), { timeout: 5000 })
      .toBe(true);
    const text = await termText(page);
    expect(text).not.toContain('[6n');
    // The reply went to the guest (it swallows escape sequences): the shell still answers normally.
    await page.keyboard.type('hostname\r');
    await waitForText(page, /^web01$/m);
  });

  it('draws a flood to its last line, and Ctrl-C stops a longer one while the console keeps answering', async () => {
    const { page } = app;
    /** What the screen shows (the DOM rows the renderer drew), not the terminal's buffer. */
    const screen = () => page.evaluate(() => document.querySelector('[data-testid="text-console"] .xterm-rows')?.textContent ?? '');
    await page.locator('.console-term').click();
    // 100 000 lines, 589 KB: the console floods, the screen is redrawn a few times a second meanwhile.
    await page.keyboard.type('seq 100000\r');
    await expect.poll(screen, { timeout: 20_000 }).toMatch(/99999\s*100000\s*root@web01:~#/);
    const flow = await page.evaluate(() => {
      const f = window.__xenithTestHooks!.console!.flow;
      return { written: f.written, processed: f.processed };
    });
    expect(flow.processed).toBe(flow.written);
    expect(flow.written).toBeGreaterThan(588_895);
    await app.shot('console-text-flood-done');
    // Ten million lines would take a while: Ctrl-C stops them and the prompt comes back.
    await page.keyboard.type('seq 10000000\r');
    await expect.poll(screen, { timeout: 10_000 }).toMatch(/\d{5}\s*$/);
    await page.keyboard.press('Control+C');
    await expect.poll(screen, { timeout: 10_000 }).toMatch(/\^C\s*root@web01:~#\s*$/);
    await page.keyboard.type('hostname\r');
    await expect.poll(screen, { timeout: 10_000 }).toMatch(/hostname\s*web01\s*root@web01:~#\s*$/);
  });

  it('goes full screen and back, keeping the terminal fitted', async () => {
    const { page } = app;
    const before = await page.evaluate(() => window.__xenithTestHooks?.console?.term.rows ?? 0);
    await page.getByTestId('console-fullscreen').click();
    await page.waitForFunction(() => {
      const f = document.querySelector('[data-testid="text-console"]');
      return document.fullscreenElement === f || f?.classList.contains('pseudo-fullscreen');
    });
    await page.waitForFunction((n) => (window.__xenithTestHooks?.console?.term.rows ?? 0) >= n, before);
    await expect(page.getByTestId('console-fullscreen').textContent()).resolves.toBe('Exit full screen');
    await app.shot('console-text-fullscreen');
    await page.getByTestId('console-fullscreen').click();
    await page.waitForFunction(() => document.fullscreenElement === null && !document.querySelector('.pseudo-fullscreen'));
    await page.locator('.console-term').click();
  });

  it('shows a mouse selection highlighted, keeps it while output scrolls, and clears it', async () => {
    const { page } = app;
    const highlighted = () => page.evaluate(() => document.querySelectorAll('[data-testid="text-console"] .xterm-selection > div').length);
    const box = await page.locator('[data-testid="text-console"] .xterm-screen').boundingBox();
    const { rows, cols, cursorY } = await page.evaluate(() => {
      const t = window.__xenithTestHooks!.console!.term;
      return { rows: t.rows, cols: t.cols, cursorY: t.buffer.active.cursorY };
    });
    if (!box) throw new Error('no terminal on screen');
    const cellW = box.width / cols;
    const cellH = box.height / rows;
    // Drag across the prompt line above the cursor.
    const y = box.y + (Math.max(cursorY - 1, 0) + 0.5) * cellH;
    await page.mouse.move(box.x + 0.5 * cellW, y);
    await page.mouse.down();
    await page.mouse.move(box.x + 6.5 * cellW, y, { steps: 5 });
    await page.mouse.up();
    const selected = await page.evaluate(() => window.__xenithTestHooks!.console!.term.getSelection());
    expect(selected.length).toBeGreaterThan(3);
    await expect.poll(highlighted, { timeout: 5000 }).toBeGreaterThan(0);
    await app.shot('console-text-selection');
    // Output that scrolls the screen moves the selection with it; it stays drawn.
    await page.evaluate(() => window.__xenithTestHooks!.console!.term.write('scroll\r\n'.repeat(5)));
    await expect.poll(highlighted, { timeout: 5000 }).toBeGreaterThan(0);
    await page.evaluate(() => window.__xenithTestHooks!.console!.term.clearSelection());
    await expect.poll(highlighted, { timeout: 5000 }).toBe(0);
    await page.locator('.console-term').click();
  });

  it('says reconnecting while the domain reboots and reconnects to the new domain', async () => {
    const { page } = app;
    const before = await page.evaluate(() => window.__xenithTestHooks?.console?.sessionId());
    // Reboot through the app's own API, as the domain view's button does (not awaited: the banner shows meanwhile).
    const rebooted = callApi(page, 'domain:reboot', { name: 'web01' });
    await page.locator('[data-testid="console-state"]', { hasText: /Reconnecting|Disconnected/ }).waitFor({ timeout: 20_000 });
    await page.getByTestId('console-banner').waitFor();
    await app.shot('console-text-reconnecting');
    await page.locator('[data-testid="console-state"]', { hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await expect(page.evaluate(() => window.__xenithTestHooks?.console?.sessionId())).resolves.toBe(before);
    await expect(rebooted).resolves.toMatchObject({ ok: true });
    await waitForText(page, /Linux version 6\.1\.0-50-amd64[\s\S]*web01 login: $/m, 30_000);
    await page.locator('.console-term').click();
    await page.keyboard.type('root\r');
    await waitForText(page, /root@web01:~# $/m);
  });

  it('runs two consoles at once in two tabs, each seeing only its own guest', async () => {
    const { page } = app;
    const other = await app.context.newPage();
    try {
      await app.openIn(other, '/console/mail01/text');
      await other.locator('[data-testid="console-state"]', { hasText: 'Connected' }).waitFor();
      await waitForText(other, /mail01 login: $/m);
      await other.locator('.console-term').click();
      await other.keyboard.type('root\r');
      await waitForText(other, /root@mail01:~# $/m);
      await other.keyboard.type('echo only-in-mail01\r');
      await waitForText(other, /^only-in-mail01$/m);
      await page.locator('.console-term').click();
      await page.keyboard.type('echo only-in-web01\r');
      await waitForText(page, /^only-in-web01$/m);
      await expect(termText(page)).resolves.not.toContain('only-in-mail01');
      await expect(termText(other)).resolves.not.toContain('only-in-web01');
    } finally {
      await other.close();
    }
  });

  it('opens the graphical console of the VNC domain: the canvas shows the framebuffer and typed keys reach the server', async () => {
    const { page } = app;
    await page.goto(`${app.origin}/#/console/win-desktop/vnc`);
    await page.getByTestId('vnc-console').waitFor();
    await page.locator('[data-testid="console-state"]', { hasText: 'Connected' }).waitFor({ timeout: 20_000 });
    const canvas = page.locator('[data-testid="vnc-screen"] canvas');
    await canvas.waitFor();
    // The demo server's test pattern: colour bars across the top of a 640x480 framebuffer.
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="vnc-screen"] canvas') as HTMLCanvasElement | null;
      const px = c?.getContext('2d')?.getImageData(40, 40, 1, 1).data;
      return !!px && px[0]! > 150 && px[1]! > 150 && px[2]! > 150;
    });
    const start = await canvasBand(page, 0, 480);
    expect([start.w, start.h]).toEqual([640, 480]);
    await app.shot('console-vnc-win-desktop');
    await canvas.click({ position: { x: 300, y: 300 } });
    await page.keyboard.type('xenith');
    await page.waitForFunction(
      (before) => {
        const c = document.querySelector('[data-testid="vnc-screen"] canvas') as HTMLCanvasElement | null;
        const ctx = c?.getContext('2d');
        if (!c || !ctx) return false;
        const img = ctx.getImageData(0, 0, c.width, c.height).data;
        let green = 0;
        for (let i = 0; i < img.length; i += 4) if (img[i + 1]! > 200 && img[i]! < 160 && img[i + 2]! < 160) green++;
        return green > before + 50;
      },
      start.green,
      { timeout: 10_000 },
    );
    await app.shot('console-vnc-typed');
  });

  it('switches between scaled-to-fit and actual size', async () => {
    const { page } = app;
    const cssSize = () =>
      page.evaluate(() => {
        const c = document.querySelector('[data-testid="vnc-screen"] canvas') as HTMLCanvasElement;
        const r = c.getBoundingClientRect();
        return [Math.round(r.width), Math.round(r.height)];
      });
    const fitted = await cssSize();
    expect(fitted[1]).toBeGreaterThan(480);
    await page.getByTestId('vnc-scale-native').click();
    await expect.poll(cssSize).toEqual([640, 480]);
    await app.shot('console-vnc-native');
    await page.getByTestId('vnc-scale-fit').click();
    await expect.poll(cssSize).toEqual(fitted);
  });

  it('asks before sending Ctrl+Alt+Del and types text through the fallback box', async () => {
    const { page } = app;
    await page.getByTestId('vnc-sendkey').selectOption('Ctrl+Alt+Del');
    await page.getByTestId('vnc-confirm-keys').waitFor();
    await app.shot('console-vnc-confirm');
    await page.getByTestId('vnc-confirm-keys-cancel').click();
    await page.getByTestId('vnc-confirm-keys').waitFor({ state: 'detached' });
    const before = await waitForMoreGreen(page, -1000);
    // Headless Chromium refuses clipboard reads without a permission: the textarea fallback appears.
    await page.getByTestId('vnc-type-clipboard').click();
    await page.getByTestId('vnc-type-dialog').waitFor();
    await page.getByTestId('vnc-type-text').fill('typed');
    await page.getByTestId('vnc-type-ok').click();
    await page.getByTestId('vnc-type-dialog').waitFor({ state: 'detached' });
    const afterBox = await waitForMoreGreen(page, before);
    // With the permission granted, the clipboard's own text is typed straight away.
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.origin });
    await page.evaluate(() => navigator.clipboard.writeText('clip'));
    await page.getByTestId('vnc-type-clipboard').click();
    await waitForMoreGreen(page, afterBox);
    await expect(page.getByTestId('vnc-type-dialog').count()).resolves.toBe(0);
    await app.shot('console-vnc-clipboard');
  });

  it('reconnects the graphical console after the guest reboots (new domid, new VNC port)', async () => {
    const { page } = app;
    const rebooted = callApi(page, 'domain:reboot', { name: 'win-desktop' });
    await page.locator('[data-testid="console-state"]', { hasText: 'Reconnecting' }).waitFor({ timeout: 20_000 });
    await expect(rebooted).resolves.toMatchObject({ ok: true });
    await page.locator('[data-testid="console-state"]', { hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="vnc-screen"] canvas') as HTMLCanvasElement | null;
      const px = c?.getContext('2d')?.getImageData(40, 40, 1, 1).data;
      return !!px && px[0]! > 150;
    });
  });

  it('says why when a domain has no console to open', async () => {
    const { page } = app;
    await page.goto(`${app.origin}/#/console/test-pvh/text`);
    await page.getByTestId('console-banner').filter({ hasText: 'test-pvh is not running' }).waitFor();
    await expect(page.getByTestId('console-state').textContent()).resolves.toBe('Failed');
    await page.goto(`${app.origin}/#/console/web01/vnc`);
    await page.getByTestId('console-banner').filter({ hasText: 'web01 has no graphical console' }).waitFor();
    await app.shot('console-vnc-none');
  });

  it('connects to a password-protected display with the password from its config', async () => {
    const { page } = app;
    await expect(callApi(page, 'domain:start', { name: 'legacy-hvm' })).resolves.toMatchObject({ ok: true });
    await page.goto(`${app.origin}/#/console/legacy-hvm/vnc`);
    await page.locator('[data-testid="console-state"]', { hasText: 'Connected' }).waitFor({ timeout: 20_000 });
    await expect(page.getByTestId('vnc-password-dialog').count()).resolves.toBe(0);
  });
});
