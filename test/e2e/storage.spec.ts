import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';

describe('the storage view on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp({ viewport: { width: 1400, height: 900 } });
    await app.page.getByTestId('nav-storage').click();
    await app.page.getByTestId('storage-view').waitFor();
    await app.page.getByTestId('pool-list').waitFor();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('lists directory and LVM pools with their space, and each volume with the domains that use it', async () => {
    const { page } = app;
    await expect(page.getByTestId('pool-list').locator('.pool-card').count()).resolves.toBe(3);
    await expect(page.getByTestId('pool-space-default').textContent()).resolves.toMatch(/free of 2\.0 TiB/);
    const db = page.getByTestId('volume-db01.img');
    await expect(db.textContent()).resolves.toContain('db01 (xvda, read-write, running)');
    await expect(page.getByTestId('volume-delete-db01.img').isDisabled()).resolves.toBe(true);
    await app.shot('storage-1400');
    await page.getByTestId('pool-vg0').click();
    await page.getByTestId('volume-scratch').waitFor();
    await expect(page.getByTestId('volume-scratch').textContent()).resolves.toContain('on thin pool thinpool');
  });

  it('creates a thin logical volume, grows it and deletes it', async () => {
    const { page } = app;
    await page.getByTestId('pool-vg0').click();
    await page.getByTestId('storage-new-volume').click();
    await page.getByTestId('new-volume-name').fill('bad/name');
    await expect(page.getByTestId('new-volume-create').isDisabled()).resolves.toBe(true);
    await page.getByTestId('new-volume-name').fill('web-root');
    await page.getByTestId('new-volume-size').fill('20');
    await page.getByTestId('new-volume-create').click();
    await page.getByTestId('volume-web-root').waitFor();
    await expect(page.getByTestId('volume-web-root').textContent()).resolves.toMatch(/logical volume20 GiB/);
    await page.getByTestId('volume-resize-web-root').click();
    await page.getByTestId('resize-size').fill('30');
    await page.getByTestId('resize-confirm').click();
    await page.getByTestId('volume-web-root').filter({ hasText: '30 GiB' }).waitFor();
    // Shrinking asks for a confirmation first.
    await page.getByTestId('volume-resize-web-root').click();
    await page.getByTestId('resize-size').fill('10');
    await expect(page.getByTestId('resize-confirm').isDisabled()).resolves.toBe(true);
    await page.getByTestId('resize-shrink-confirm').check();
    await expect(page.getByTestId('resize-confirm').textContent()).resolves.toBe('Shrink');
    await page.getByTestId('resize-confirm').click();
    await page.getByTestId('volume-web-root').filter({ hasText: '10 GiB' }).waitFor();
    await page.getByTestId('volume-delete-web-root').click();
    await page.getByTestId('delete-volume-dialog-confirm').click();
    await page.getByTestId('volume-web-root').waitFor({ state: 'detached' });
  });

  it('clones a volume, showing the copy\'s progress', async () => {
    const { page } = app;
    await page.getByTestId('pool-default').click();
    await page.getByTestId('volume-clone-test-pvh.img').click();
    await expect(page.getByTestId('clone-name').inputValue()).resolves.toBe('test-pvh-copy.img');
    await page.getByTestId('clone-confirm').click();
    await page.getByTestId('clone-progress').waitFor();
    await page.getByTestId('volume-test-pvh-copy.img').waitFor();
    await expect(page.getByTestId('volume-test-pvh-copy.img').textContent()).resolves.toMatch(/raw8\.0 GiB.*unused/);
  });

  it('makes a volume group on the empty disk only, after saying which disk it erases', async () => {
    const { page } = app;
    await page.getByTestId('storage-new-vg').click();
    const options = page.getByTestId('new-vg-device').locator('option');
    await expect(options.filter({ hasText: '/dev/sda' }).isDisabled()).resolves.toBe(true);
    await expect(options.filter({ hasText: '/dev/sda' }).textContent()).resolves.toMatch(/already an LVM physical volume/);
    await page.getByTestId('new-vg-device').selectOption('/dev/sdb');
    await page.getByTestId('new-vg-name').fill('vg1');
    await page.getByTestId('new-vg-confirm').click();
    await expect(page.getByTestId('new-vg-warning').textContent()).resolves.toMatch(/Erase \/dev\/sdb \(512 GiB/);
    await page.getByTestId('new-vg-confirm').click();
    await page.getByTestId('pool-vg1').waitFor();
    await page.getByTestId('pool-vg1').click();
    await expect(page.getByTestId('pool-space-vg1').textContent()).resolves.toMatch(/free of 512 GiB/);
  });

  it('mounts an NFS export as a pool, unmounts and mounts it again', async () => {
    const { page } = app;
    await page.getByTestId('storage-add-pool').click();
    await page.getByTestId('add-pool-kind').selectOption('nfs');
    await page.getByTestId('add-pool-name').fill('nas');
    await page.getByTestId('add-pool-server').fill('nas.example.lan');
    await page.getByTestId('add-pool-export').fill('/srv/xen');
    await page.getByTestId('add-pool-where').fill('relative/dir');
    await expect(page.getByTestId('add-pool-confirm').isDisabled()).resolves.toBe(true);
    await page.getByTestId('add-pool-where').fill('/var/lib/xen/nas');
    await page.getByTestId('add-pool-persist').check();
    await app.shot('storage-add-nfs');
    await page.getByTestId('add-pool-confirm').click();
    await page.getByTestId('pool-nas').click();
    await expect(page.getByTestId('pool-space-nas').textContent()).resolves.toMatch(/free of 4\.0 TiB/);
    await expect(page.getByTestId('pool-nas').textContent()).resolves.toContain('at boot');
    expect(readFileSync(join(app.stateDir, 'root/etc/fstab'), 'utf8')).toContain('nas.example.lan:/srv/xen /var/lib/xen/nas nfs nosuid,nodev,noexec,_netdev 0 0');
    await page.getByTestId('storage-new-volume').click();
    await page.getByTestId('new-volume-name').fill('shared.img');
    await page.getByTestId('new-volume-create').click();
    await page.getByTestId('volume-shared.img').waitFor();
    await page.getByTestId('storage-unmount').click();
    await page.getByTestId('storage-mount').waitFor();
    await expect(page.getByTestId('pool-nas').textContent()).resolves.toContain('nas.example.lan:/srv/xen (not mounted)');
    await expect(page.getByTestId('storage-new-volume').isDisabled()).resolves.toBe(true);
    await page.getByTestId('storage-mount').click();
    await page.getByTestId('volume-shared.img').waitFor();
  });

  it('changes the NFS pool afterwards: no longer at boot, and the ISO library', async () => {
    const { page } = app;
    await page.getByTestId('pool-nas').click();
    await page.getByTestId('storage-pool-settings').click();
    await expect(page.getByTestId('pool-settings-persist').isChecked()).resolves.toBe(true);
    await expect(page.getByTestId('pool-settings-save').isDisabled()).resolves.toBe(true);
    await page.getByTestId('pool-settings-persist').uncheck();
    await page.getByTestId('pool-settings-iso').check();
    await app.shot('storage-pool-settings');
    await page.getByTestId('pool-settings-save').click();
    await page.getByTestId('pool-settings-dialog').waitFor({ state: 'detached' });
    await page.getByTestId('pool-nas').filter({ hasText: 'ISO library' }).waitFor();
    await expect(page.getByTestId('pool-nas').textContent()).resolves.not.toContain('at boot');
    expect(readFileSync(join(app.stateDir, 'root/etc/fstab'), 'utf8')).not.toContain('nas.example.lan:/srv/xen');
    // An LVM pool has nothing to change.
    await page.getByTestId('pool-vg0').click();
    await expect(page.getByTestId('storage-pool-settings').isDisabled()).resolves.toBe(true);
  });

  it('adds a disk to a domain from its Disks tab as a new logical volume, and offers existing volumes with their users', async () => {
    const { page } = app;
    await page.evaluate(() => (location.hash = '#/domains/test-pvh/disks'));
    await page.getByTestId('disk-mode-existing').click();
    const volumes = page.getByTestId('disk-volume').locator('option');
    await expect(volumes.filter({ hasText: 'default/db01.img' }).isDisabled()).resolves.toBe(true);
    await expect(volumes.filter({ hasText: 'default/db01.img' }).textContent()).resolves.toMatch(/db01 rw \(running\)/);
    await page.getByTestId('disk-mode-new').click();
    await page.getByTestId('disk-pool').selectOption('vg0');
    await expect(page.getByTestId('disk-path').inputValue()).resolves.toBe('/dev/vg0/test-pvh-xvdb');
    await page.getByTestId('disk-size').fill('5');
    await page.getByTestId('disk-attach').click();
    await page.getByTestId('disk-attach-done').waitFor();
    await page.getByTestId('disk-row-xvdb').waitFor();
    // The next disk's path follows the next free device, in the same pool.
    await page.getByTestId('disk-path').and(page.locator('[value="/dev/vg0/test-pvh-xvdc"]')).waitFor();
    await app.shot('disks-tab-pools');
    await page.getByTestId('nav-storage').click();
    await page.getByTestId('pool-vg0').click();
    await expect(page.getByTestId('volume-test-pvh-xvdb').textContent()).resolves.toContain('test-pvh (xvdb, read-write)');
  });

  it('refuses to remove a pool whose volumes are in use, naming the domain', async () => {
    const { page } = app;
    await page.getByTestId('pool-default').click();
    await page.getByTestId('storage-remove-pool').click();
    await page.getByTestId('remove-pool-dialog-confirm').click();
    await expect(page.getByTestId('storage-edit-error-words').textContent()).resolves.toMatch(/uses .* in pool default/);
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.waitForTimeout(200);
    await app.shot('storage-1024');
    await page.setViewportSize({ width: 1400, height: 900 });
  });
});
