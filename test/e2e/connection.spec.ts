import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';

// The demo host stops answering while a file named "unreachable" is in its state directory (src/xen/sim/index.ts).
describe('a host that stops answering and comes back, on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp({ viewport: { width: 1400, height: 900 } });
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('says "Cannot reach" while it does not answer, then recovers the list and "Connected" by itself', async () => {
    const { page } = app;
    const status = page.getByTestId('status-toolstack');
    const switchFile = join(app.stateDir, 'unreachable');
    await page.getByTestId('domain-row-web01').waitFor({ timeout: 30_000 });
    await status.filter({ hasText: 'Connected to demo host' }).waitFor({ timeout: 30_000 });
    await app.shots('status-connected');

    writeFileSync(switchFile, '');
    await page.locator('[data-testid="status-toolstack"][data-connection="unreachable"]').waitFor({ timeout: 20_000 });
    await expect(status.textContent()).resolves.toBe('Cannot reach demo host — Xenith is retrying');
    await expect(status.getAttribute('title')).resolves.toMatch(/does not answer — retrying$/);
    // Opened while the host is away, the list fails (the "did not finish" error in the list).
    await page.goto('about:blank');
    await page.goto(app.url);
    await page.getByTestId('domains-error').waitFor({ timeout: 20_000 });
    await page.getByTestId('title-host').filter({ hasText: 'host unreachable' }).waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="status-toolstack"][data-connection="unreachable"]').waitFor({ timeout: 20_000 });
    await app.shots('status-unreachable');

    rmSync(switchFile);
    // No click, no reload: the next stats ticks bring the list, the actions and the status back.
    await page.getByTestId('domain-row-web01').waitFor({ timeout: 20_000 });
    await page.getByTestId('domains-error').waitFor({ state: 'detached', timeout: 20_000 });
    await status.filter({ hasText: 'Connected to demo host' }).waitFor({ timeout: 20_000 });
    await expect(page.getByTestId('status-toolstack').getAttribute('data-connection')).resolves.toBe('connected');
    await page.getByTestId('title-host').filter({ hasText: 'Xen 4.17' }).waitFor({ timeout: 20_000 });
    await page.getByTestId('domain-row-web01').locator('.name-text').click();
    await expect(page.getByTestId('action-pause').isEnabled()).resolves.toBe(true);
    await app.shots('status-recovered');
  });
});
