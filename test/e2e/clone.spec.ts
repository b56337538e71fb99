import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';

describe('cloning a stopped domain, on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp({ viewport: { width: 1400, height: 900 } });
    await app.page.getByTestId('domain-row-test-pvh').waitFor({ timeout: 30_000 });
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('shows where each disk goes and the exact config, copies with progress, and opens the clone', async () => {
    const { page } = app;
    // Running domains cannot be cloned: their disks would be copied mid-write.
    await page.getByTestId('domain-row-web01').locator('.name-text').click();
    await expect(page.getByTestId('action-clone').isDisabled()).resolves.toBe(true);
    await page.getByTestId('domain-row-test-pvh').locator('.name-text').click();
    await page.getByTestId('action-clone').click();
    const dialog = page.getByTestId('clone-domain-dialog');
    await dialog.waitFor();
    await page.getByTestId('clone-domain-disks').filter({ hasText: '/var/lib/xen/images/test-pvh-clone-xvda.img' }).waitFor();
    await page.getByTestId('clone-domain-name').fill('web01');
    await page.getByTestId('clone-domain-problem').filter({ hasText: 'newName: There is already a domain called web01' }).waitFor();
    await expect(page.getByTestId('clone-domain-confirm').isDisabled()).resolves.toBe(true);
    await page.getByTestId('clone-domain-name').fill('pvh-twin');
    await page.getByTestId('clone-domain-pool').selectOption('vg0');
    await page.getByTestId('clone-domain-disks').filter({ hasText: '/dev/vg0/pvh-twin-xvda' }).waitFor();
    await dialog.locator('summary').click();
    await expect(page.getByTestId('clone-domain-config').textContent()).resolves.toMatch(/name = "pvh-twin"[\s\S]*uuid = "[0-9a-f-]{36}"/);
    await app.shots('clone-domain-plan');
    await page.getByTestId('clone-domain-confirm').click();
    await page.getByTestId('clone-domain-done').waitFor({ timeout: 30_000 });
    await page.getByTestId('clone-domain-open').click();
    await page.waitForFunction(() => location.hash === '#/domains/pvh-twin/overview');
    await page.evaluate(() => (location.hash = '#/domains'));
    await page.getByTestId('domain-row-pvh-twin').filter({ hasText: 'stopped' }).waitFor({ timeout: 15_000 });
    await app.shots('clone-domain-listed');
  }, 90_000);
});
