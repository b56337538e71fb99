import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';

// What a new user stumbled on using the demo host every day (issue #18).

let app: WebApp;

describe('everyday use on the demo host', () => {
  beforeAll(async () => {
    app = await startWebApp({ demoDomains: 40 });
    await app.page.locator('[data-testid^="domain-row-"]').first().waitFor();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('a list sorted by CPU keeps its rows still under the pointer while the figures move', async () => {
    const { page } = app;
    await page.getByTestId('sort-cpu').click();
    await page.locator('[data-testid="sort-cpu"]').filter({ hasText: '▼' }).waitFor();
    const order = (): Promise<string[]> =>
      page.$$eval('[data-testid^="domain-row-"]', (els) => els.slice(0, 20).map((e) => e.getAttribute('data-testid') ?? ''));
    await page.getByTestId('domain-grid').hover();
    // Live figures have arrived for the top rows (a running guest's CPU %).
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-testid^="domain-row-"]')).slice(0, 10).every((e) => /%/.test(e.textContent ?? '')), undefined, { timeout: 15_000 });
    const before = await order();
    // The held order is a CPU order: the figures shown fall from top to bottom (running guests first).
    const pct = await page.$$eval('[data-testid^="domain-row-"]', (els) =>
      els.slice(0, 10).map((e) => Number(/([\d.]+)%/.exec(e.textContent ?? '')?.[1] ?? 'NaN')),
    );
    expect(pct.every((p) => Number.isFinite(p))).toBe(true);
    expect(pct.slice(0, 5).reduce((a, b) => a + b, 0)).toBeGreaterThan(pct.slice(5, 10).reduce((a, b) => a + b, 0));
    const figures = (): Promise<string> => page.$$eval('[data-testid^="domain-row-"]', (els) => els.slice(0, 20).map((e) => e.textContent ?? '').join('|'));
    // Three ticks pass (the figures change each time) and not one row moves.
    for (let i = 0; i < 3; i++) {
      const seen = await figures();
      await page.waitForFunction((f) => Array.from(document.querySelectorAll('[data-testid^="domain-row-"]')).slice(0, 20).map((e) => e.textContent ?? '').join('|') !== f, seen, { timeout: 15_000 });
      expect(await order()).toEqual(before);
    }
    expect(await order()).toEqual(before);
    await app.shot('everyday-cpu-sort-held');
  });

  it('the status bar\'s free memory follows the host without visiting the Host page', async () => {
    const { page } = app;
    const freeGiB = async (): Promise<number> => Number(/([\d.]+) of [\d.]+ GiB free/.exec((await page.getByTestId('status-host').textContent()) ?? '')?.[1] ?? 'NaN');
    await page.waitForFunction(() => /GiB free/.test(document.querySelector('[data-testid="status-host"]')?.textContent ?? ''));
    const before = await freeGiB();
    expect(Number.isFinite(before)).toBe(true);
    await page.getByPlaceholder('Filter: name, state, type…').fill('vm-06');
    await page.getByTestId('domain-row-vm-06').click();
    await page.getByTestId('action-start').click();
    await page.getByPlaceholder('Filter: name, state, type…').fill('');
    // vm-06 takes 2 GiB: within a few ticks the status bar says so, with a decimal.
    await page.waitForFunction((b) => {
      const m = /([\d.]+) of [\d.]+ GiB free/.exec(document.querySelector('[data-testid="status-host"]')?.textContent ?? '');
      return m !== null && Number(m[1]) <= b - 1.5;
    }, before, { timeout: 30_000 });
  });

  it('an empty list says why, and Domain-0\'s Config tab explains that dom0 has no config file', async () => {
    const { page } = app;
    await page.getByPlaceholder('Filter: name, state, type…').fill('zzz-nothing');
    await expect(page.getByTestId('domain-grid-empty').textContent()).resolves.toBe('No domain matches “zzz-nothing”.');
    await page.getByPlaceholder('Filter: name, state, type…').fill('');
    await page.evaluate(() => (location.hash = '#/domains/Domain-0/config'));
    await expect(page.getByTestId('config-dom0').textContent()).resolves.toMatch(/^Domain-0 is this host's control domain and has no xl config file/);
    await app.shot('everyday-dom0-config');
  });

  it('says what "applies at next start" means: xl reads the config when the domain is started, not at a reboot', async () => {
    const { page } = app;
    await page.evaluate(() => (location.hash = '#/domains/vm-01/memory'));
    await expect(page.locator('[data-testid$="-when"]').first().textContent()).resolves.toBe(
      'xl reads the config file when the domain is started: a reboot keeps what it runs with now, so shut it down and start it.',
    );
    await expect(page.locator('label', { hasText: 'At next start (config file only)' }).count()).resolves.toBeGreaterThan(0);
    await page.evaluate(() => (location.hash = '#/domains/vm-01/config'));
    await page.getByText('Saved changes apply when the domain is next started (not at a reboot).').waitFor();
  });

  it('at 1024x700 every live column of the list stays in view', async () => {
    const { page } = app;
    await page.evaluate(() => (location.hash = '#/domains'));
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      await page.waitForFunction(() => window.innerWidth === 1024);
      // Each live column's header ends inside the grid (measured again until the layout settles).
      const overflow = (): Promise<string[]> =>
        page.evaluate(() => {
          const grid = document.querySelector('[data-testid="domain-grid"]')?.getBoundingClientRect();
          return Array.from(document.querySelectorAll('[role="columnheader"]'))
            .filter((h) => ['CPU', 'Memory use', 'Disk I/O', 'Network'].includes(h.textContent?.replace(/[▲▼]/g, '').trim() ?? ''))
            .filter((h) => grid === undefined || h.getBoundingClientRect().right > grid.right + 1)
            .map((h) => h.textContent ?? '');
        });
      await expect.poll(overflow, { timeout: 5000 }).toEqual([]);
      expect(await page.locator('[role="columnheader"]', { hasText: 'Network' }).isVisible()).toBe(true);
      await app.shot('everyday-list-1024');
    } finally {
      await page.setViewportSize({ width: 1360, height: 860 });
    }
  });

  it('says when Xenith\'s server stops answering, greys what is stale, and comes back by itself', async () => {
    const { page, proc } = app;
    const status = page.getByTestId('status-toolstack');
    await status.filter({ hasText: 'Connected to demo host' }).waitFor();
    // The server freezes without closing the socket (as a stopped process or a vanished machine would).
    proc.kill('SIGSTOP');
    try {
      await page.locator('[data-testid="status-toolstack"][data-connection="lost"]').waitFor({ timeout: 20_000 });
      expect(await status.textContent()).toMatch(/^Lost the connection to Xenith — reconnecting/);
      await page.getByTestId('link-lost').waitFor();
      expect(await page.title()).toBe('Connection lost — Xenith');
      await page.setViewportSize({ width: 1400, height: 900 });
      await app.shot('everyday-link-lost-1400');
      await page.setViewportSize({ width: 1024, height: 700 });
      await app.shot('everyday-link-lost-1024');
      await page.setViewportSize({ width: 1360, height: 860 });
    } finally {
      proc.kill('SIGCONT');
    }
    await status.filter({ hasText: 'Connected to demo host' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('link-lost').count()).toBe(0);
    expect(await page.title()).toBe('Xenith');
  });
});
