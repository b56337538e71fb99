import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';

describe('snapshots of a domain, on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp({ viewport: { width: 1400, height: 900 } });
    await app.page.getByTestId('domain-row-test-pvh').waitFor({ timeout: 30_000 });
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('says why a raw disk cannot be snapshotted, converts it, then takes, lists, reverts and deletes snapshots', async () => {
    const { page } = app;
    await page.evaluate(() => (location.hash = '#/domains/test-pvh/snapshots'));
    await page.getByTestId('snapshots-tab').waitFor({ timeout: 15_000 });
    await page.getByTestId('snapshot-disk-xvda').filter({ hasText: 'a raw image file cannot be snapshotted in place' }).waitFor();
    await expect(page.getByTestId('snapshot-take').isDisabled()).resolves.toBe(true);
    await page.getByTestId('snapshot-empty').waitFor();
    await page.getByTestId('snapshot-convert-xvda').click();
    await page.getByTestId('snapshot-confirm-confirm').click();
    await page.getByTestId('snapshot-disk-xvda').filter({ hasText: 'snapshot inside the qcow2 file' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('snapshot-disk-xvda').filter({ hasText: '/var/lib/xen/images/test-pvh.qcow2' }).waitFor();

    await page.getByTestId('snapshot-take').click();
    await page.getByTestId('snapshot-name').fill('');
    await page.getByTestId('snapshot-name-problem').filter({ hasText: 'The snapshot name is empty' }).waitFor();
    await expect(page.getByTestId('snapshot-take-confirm').isDisabled()).resolves.toBe(true);
    await page.getByTestId('snapshot-name').fill('clean install');
    await page.getByTestId('snapshot-description').fill('before the first upgrade');
    await app.shots('snapshot-take');
    await page.getByTestId('snapshot-take-confirm').click();
    await page.locator('[data-snapshot="clean install"]').filter({ hasText: 'you are here' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('snapshot-take').click();
    await page.getByTestId('snapshot-name').fill('after upgrade');
    await page.getByTestId('snapshot-take-confirm').click();
    await page.locator('[data-snapshot="after upgrade"]').filter({ hasText: 'you are here' }).waitFor({ timeout: 15_000 });
    await expect(page.getByTestId('snapshot-row').allTextContents()).resolves.toEqual([expect.stringContaining('clean install') as string, expect.stringContaining('└ after upgrade') as string]);
    await app.shots('snapshot-tree');

    // A new domain from the first snapshot: its disk copied as it was then.
    await page.locator('[data-snapshot="clean install"]').getByTestId('snapshot-clone').click();
    await page.getByTestId('clone-domain-dialog').filter({ hasText: 'Clone test-pvh from snapshot "clean install"' }).waitFor();
    await page.getByTestId('clone-domain-name').fill('pvh-from-clean');
    await page.getByTestId('clone-domain-disks').filter({ hasText: '/var/lib/xen/images/pvh-from-clean-xvda.qcow2' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('clone-domain-confirm').click();
    await page.getByTestId('clone-domain-done').waitFor({ timeout: 30_000 });
    await app.shots('snapshot-clone');
    await page.keyboard.press('Escape');
    await page.getByTestId('clone-domain-dialog').waitFor({ state: 'detached' });

    await page.locator('[data-snapshot="clean install"]').getByTestId('snapshot-revert').click();
    await page.getByTestId('snapshot-confirm').filter({ hasText: 'Every disk goes back to how it was' }).waitFor();
    await page.getByTestId('snapshot-confirm-confirm').click();
    await page.locator('[data-snapshot="clean install"]').filter({ hasText: 'you are here' }).waitFor({ timeout: 15_000 });

    await page.locator('[data-snapshot="clean install"]').getByTestId('snapshot-delete-tree').click();
    await page.getByTestId('snapshot-confirm-confirm').click();
    await page.getByTestId('snapshot-empty').waitFor({ timeout: 15_000 });
  }, 120_000);

  it('refuses a running domain on a raw disk by name, with the reason on screen', async () => {
    const { page } = app;
    await page.evaluate(() => (location.hash = '#/domains/web01/snapshots'));
    await page.getByTestId('snapshot-problem').filter({ hasText: 'xvda (/var/lib/xen/images/web01.img) a raw image file cannot be snapshotted in place' }).waitFor({ timeout: 15_000 });
    await expect(page.getByTestId('snapshot-take').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('snapshot-convert-xvda').isDisabled()).resolves.toBe(true);
    await expect(page.getByTestId('snapshot-overlay-xvda').isDisabled()).resolves.toBe(true);
    await app.shots('snapshot-refused');
  }, 60_000);

  it('puts a qcow2 overlay on a raw disk at once, saying the raw file must then stay as it is', async () => {
    const { page } = app;
    await page.evaluate(() => (location.hash = '#/domains/legacy-hvm/snapshots'));
    await page.getByTestId('snapshot-disk-hda').filter({ hasText: 'a raw image file cannot be snapshotted in place' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('snapshot-overlay-hda').click();
    await page.getByTestId('snapshot-confirm').filter({ hasText: 'The raw file becomes its base and must stay as it is' }).waitFor();
    await app.shots('snapshot-overlay-confirm');
    await page.getByTestId('snapshot-confirm-confirm').click();
    await page.getByTestId('snapshot-disk-hda').filter({ hasText: '/var/lib/xen/images/legacy-hvm.qcow2' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('snapshot-disk-hda').filter({ hasText: 'snapshot inside the qcow2 file' }).waitFor();
    await expect(page.getByTestId('snapshot-take').isDisabled()).resolves.toBe(false);
  }, 60_000);
});
