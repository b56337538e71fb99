import { afterEach, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';

describe('the host view on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp();
    await app.page.evaluate(() => (location.hash = '#/host'));
    await app.page.getByTestId('host-view').waitFor();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('shows Xen, CPUs and topology, memory, dom0, scheduler, guest types and bridges', async () => {
    const { page } = app;
    await expect(page.getByTestId('host-xen-version').textContent()).resolves.toMatch(/^4\.17/);
    await expect(page.getByTestId('host-cpus').textContent()).resolves.toMatch(/^\d+ at \d+ MHz$/);
    await expect(page.getByTestId('host-topology').textContent()).resolves.toMatch(/NUMA node.*cores per socket.*per core/);
    await expect(page.getByTestId('host-mem-total').textContent()).resolves.toMatch(/GiB|MiB/);
    await expect(page.getByTestId('host-dom0-mem').textContent()).resolves.toMatch(/GiB|MiB/);
    await expect(page.getByTestId('host-scheduler').textContent()).resolves.toBe('credit2');
    await expect(page.getByTestId('host-guest-types').textContent()).resolves.toContain('HVM ✓');
    await expect(page.getByTestId('host-bridges').textContent()).resolves.toContain('xenbr0');
  });

  it('draws host CPU and memory graphs from the live stats', async () => {
    const { page } = app;
    await page.waitForTimeout(3000);
    for (const id of ['host-chart-cpu', 'host-chart-mem']) {
      const d = await page.getByTestId(id).locator('path.recharts-line-curve').first().getAttribute('d');
      expect(d?.length ?? 0).toBeGreaterThan(10);
    }
    await app.shot('host-light');
  });

  it('searches the hypervisor log and follows it', async () => {
    const { page } = app;
    await page.getByTestId('dmesg-count').filter({ hasText: /of \d+ lines/ }).waitFor();
    const all = Number(/of (\d+) lines/.exec((await page.getByTestId('dmesg-count').textContent()) ?? '')?.[1]);
    expect(all).toBeGreaterThan(10);
    await page.getByTestId('dmesg-search').fill('credit2');
    await page.locator('[data-testid="dmesg-lines"] mark').first().waitFor();
    const shown = Number(/^(\d+) of/.exec((await page.getByTestId('dmesg-count').textContent()) ?? '')?.[1]);
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(all);
    await page.getByTestId('dmesg-follow').check();
    const atEnd = await page.getByTestId('dmesg-lines').evaluate((el) => Math.abs(el.scrollHeight - el.clientHeight - el.scrollTop) < 4);
    expect(atEnd).toBe(true);
    await page.getByTestId('dmesg-search').fill('');
  });

  it('in the dark theme', async () => {
    const { page } = app;
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForTimeout(300);
    await app.shot('host-dark');
    await page.evaluate(() => (location.hash = '#/domains'));
    await page.getByTestId('domain-grid').waitFor();
    await page.waitForTimeout(2500);
    await app.shot('main-list-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
