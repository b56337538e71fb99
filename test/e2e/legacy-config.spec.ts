import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startWebApp, type WebApp } from './support/harness';

// The demo host holds two configs as old Xen 3.x guides wrote them (test/fixtures/xm-era-*.cfg). xl 4.17 accepts
// both with warnings; Xenith shows every value xl uses, the one it skips on its field, and xl's own warnings.

async function openTab(page: Page, name: string, tab: string): Promise<void> {
  await page.evaluate(([n, t]) => (location.hash = `#/domains/${n}/${t}`), [name, tab] as const);
  await page.getByTestId(`panel-${tab}`).waitFor();
}

describe('xm-era guide configs on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp({ viewport: { width: 1400, height: 900 } });
    await app.page.getByTestId('domain-row-guide-pv').waitFor();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('lists the PV guide with the memory and type its file gives', async () => {
    const row = app.page.getByTestId('domain-row-guide-pv');
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('256');
    expect(text).toMatch(/PV/);
    await app.shot('legacy-list-1400');
  });

  it('shows both disks and the NIC, with the skipped mac as a warning on its row', async () => {
    const { page } = app;
    await openTab(page, 'guide-pv', 'overview');
    await expect(page.getByTestId('ov-type').textContent()).resolves.toBe('PV');
    await expect(page.getByTestId('ov-config-problems').textContent()).resolves.toContain('Network interface 1 MAC address');
    await app.shot('legacy-overview-1400');
    await openTab(page, 'guide-pv', 'disks');
    await page.getByTestId('disk-row-xvda1').waitFor();
    await expect(page.getByTestId('disk-row-xvda2').textContent()).resolves.toContain('/dev/vg/guide-pv-root');
    await openTab(page, 'guide-pv', 'network');
    await expect(page.getByTestId('nic-table').textContent()).resolves.toContain('xenbr0');
    await expect(page.getByTestId('nic-problems-0').textContent()).resolves.toContain('__random_three_mac_bytes__');
    await app.shot('legacy-network-1400');
    await page.setViewportSize({ width: 1024, height: 700 });
    await app.shot('legacy-network-1024');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it("Config tab: Xenith's problem on vifs[0].mac beside xl's own warning", async () => {
    const { page } = app;
    await openTab(page, 'guide-pv', 'config');
    await expect(page.getByTestId('config-problems').textContent()).resolves.toContain('vifs[0].mac');
    await page.getByTestId('config-xl-warning').first().waitFor();
    await expect(page.getByTestId('config-xl').textContent()).resolves.toContain("Invalid parameter `mac'.");
    await app.shot('legacy-config-pv-1400');
  });

  it("Config tab: the xm-era Windows config is valid for Xenith, and xl's warnings show", async () => {
    const { page } = app;
    await openTab(page, 'guide-win', 'config');
    // The previous tab's check may still be on screen for a moment: wait for this file's.
    await page.waitForFunction(() => document.querySelector('[data-testid="config-xl"]')?.textContent?.includes('vncviewer') === true);
    const warnings = await page.getByTestId('config-xl-warning').allTextContents();
    expect(warnings).toHaveLength(3);
    expect(warnings.join('\n')).toMatch(/vncviewer[\s\S]*"kernel"[\s\S]*device_model/);
    await expect(page.getByTestId('config-status').textContent()).resolves.toBe('Valid, 3 xl warnings');
    await app.shot('legacy-config-win-1400');
    // An edit is checked by xl too, without a file: the warning for the removed line goes away.
    const editor = page.getByTestId('config-text');
    const text = await editor.inputValue();
    await editor.fill(text.replace('vncviewer = 1\n', ''));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="config-xl-warning"]').length === 2);
    await expect(page.getByTestId('config-status').textContent()).resolves.toBe('Valid; not saved, 2 xl warnings');
    await page.setViewportSize({ width: 1024, height: 700 });
    await app.shot('legacy-config-win-1024');
    await page.setViewportSize({ width: 1400, height: 900 });
  });
});
