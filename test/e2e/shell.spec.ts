import { afterEach, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';

describe('the app shell in browser mode, on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('shows the host name, the demo label and the toolstack in the status bar', async () => {
    const { page } = app;
    await page.getByTestId('title-host').filter({ hasText: 'Xen 4.17' }).waitFor();
    await expect(page.getByTestId('demo-badge').textContent()).resolves.toBe('DEMO HOST');
    await page.getByTestId('status-toolstack').filter({ hasText: 'Connected to demo host' }).waitFor();
    await app.shot('shell-domains-light');
  });

  it('moves between Host and Domains from the sidebar and the keyboard', async () => {
    const { page } = app;
    await page.getByTestId('nav-host').click();
    await page.getByTestId('host-view').waitFor();
    expect(page.url()).toContain('#/host');
    await page.keyboard.press('Control+2');
    await page.waitForURL(/#\/domains/);
    await page.getByTestId('statusbar').click();
    await page.keyboard.press('F6');
    await page.waitForFunction(() => document.querySelector('[data-area="sidebar"]')?.contains(document.activeElement));
    await page.keyboard.press('F6');
    await page.waitForFunction(() => document.querySelector('[data-area="main"]')?.contains(document.activeElement));
    await page.keyboard.press('Shift+F6');
    await page.waitForFunction(() => document.querySelector('[data-area="sidebar"]')?.contains(document.activeElement));
  });

  it('follows the dark theme', async () => {
    const { page } = app;
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.documentElement.dataset['theme'] === 'dark');
    await page.getByTestId('nav-host').click();
    await page.getByTestId('host-view').waitFor();
    await app.shot('shell-host-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => document.documentElement.dataset['theme'] === 'light');
    await app.shot('shell-host-light');
    // An explicit choice overrides the system and survives a reload.
    await page.getByTestId('theme-select').selectOption('dark');
    await page.waitForFunction(() => document.documentElement.dataset['theme'] === 'dark');
    await page.reload();
    await page.waitForFunction(() => document.documentElement.dataset['theme'] === 'dark');
    await page.getByTestId('theme-select').selectOption('system');
    await page.waitForFunction(() => document.documentElement.dataset['theme'] === 'light');
  });
});
