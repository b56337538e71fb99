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

  it('makes a linked clone in a moment, then keeps its base from starting and from being deleted', async () => {
    const { page } = app;
    await page.evaluate(() => (location.hash = '#/domains'));
    await page.getByTestId('domain-row-legacy-hvm').locator('.name-text').click();
    await page.getByTestId('action-clone').click();
    await page.getByTestId('clone-domain-dialog').waitFor();
    await page.getByTestId('clone-domain-name').fill('hvm-linked');
    await page.getByTestId('clone-domain-linked').check();
    await page.getByTestId('clone-domain-disks').filter({ hasText: '/var/lib/xen/images/hvm-linked-hda.qcow2 · linked, reads /var/lib/xen/images/legacy-hvm.img' }).waitFor();
    // Overlays are files: a volume group is refused, naming the field.
    await page.getByTestId('clone-domain-pool').selectOption('vg0');
    await page.getByTestId('clone-domain-problem').filter({ hasText: 'pool: vg0 is a volume group' }).waitFor();
    await page.getByTestId('clone-domain-pool').selectOption('');
    await page.getByTestId('clone-domain-disks').filter({ hasText: 'linked, reads' }).waitFor();
    await expect(page.getByTestId('clone-domain-problem').count()).resolves.toBe(0);
    await app.shots('clone-linked-plan');
    await page.getByTestId('clone-domain-confirm').click();
    await page.getByTestId('clone-domain-done').waitFor({ timeout: 30_000 });
    await page.getByTestId('clone-domain-open').click();
    await page.evaluate(() => (location.hash = '#/domains'));
    await page.getByTestId('domain-row-hvm-linked').filter({ hasText: 'stopped' }).waitFor({ timeout: 15_000 });
    // The original is now a base: starting it is refused with the reason.
    await page.getByTestId('domain-row-legacy-hvm').locator('.name-text').click();
    await page.getByTestId('action-start').click();
    await page.getByTestId('result-error-legacy-hvm').filter({ hasText: 'is the base of linked volume /var/lib/xen/images/hvm-linked-hda.qcow2' }).waitFor({ timeout: 15_000 });
    await app.shots('clone-linked-start-refused');
    await page.evaluate(() => (location.hash = '#/storage'));
    await page.getByTestId('volume-base-legacy-hvm.img').filter({ hasText: 'base of 1 linked volume' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('volume-hvm-linked-hda.qcow2').filter({ hasText: 'linked to /var/lib/xen/images/legacy-hvm.img' }).waitFor();
    await expect(page.getByTestId('volume-delete-legacy-hvm.img').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('volume-resize-legacy-hvm.img').isDisabled()).resolves.toBe(true);
    await app.shots('clone-linked-storage');
  }, 90_000);
});
