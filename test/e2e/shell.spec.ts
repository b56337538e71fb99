import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';

describe('the app shell in browser mode, on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp();
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('shows the host name, the demo label and the toolstack in the status bar', async () => {
    const { page } = app;
    await page.getByTestId('title-host').filter({ hasText: 'Xen 4.17' }).waitFor();
    await expect(page.getByTestId('demo-badge').textContent()).resolves.toBe('DEMO HOST');
    await expect(page.getByTestId('status-toolstack').textContent()).resolves.toContain('Connected to demo host');
    await app.shot('shell-domains-light');
  });

  it('moves between Host and Domains from the sidebar and the keyboard', async () => {
    const { page } = app;
    await page.getByTestId('nav-host').click();
    await page.getByTestId('host-view').waitFor();
    expect(page.url()).toContain('#/host');
    await page.keyboard.press('Control+2');
    await page.waitForURL(/#\/domains/);
    await page.keyboard.press('F6');
    const inSidebar = await page.evaluate(() => document.querySelector('[data-area="sidebar"]')?.contains(document.activeElement));
    expect(inSidebar).toBe(true);
  });

  it('follows the dark theme', async () => {
    const { page } = app;
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.evaluate(() => document.documentElement.dataset['theme'])).resolves.toBe('dark');
    await page.getByTestId('nav-host').click();
    await page.getByTestId('host-view').waitFor();
    await app.shot('shell-host-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.evaluate(() => document.documentElement.dataset['theme'])).resolves.toBe('light');
    await app.shot('shell-host-light');
  });
});
