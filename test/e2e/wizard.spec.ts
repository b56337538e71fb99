import { mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, posix } from 'node:path';
import { afterEach, afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { configFromXl } from '../../src/xen/config/render';
import { parseXlConfig } from '../../src/xen/config/xl-config';
import { startWebApp, type WebApp } from './support/harness';

// The new-VM wizard in browser mode on the demo host: every step, the file chooser, validation that names fields,
// the written config read back, and an xl create failure that leaves nothing behind.

let app: WebApp;
/** Where host path P of the demo host lives on this machine (the demo HostFs maps / to <stateDir>/root). */
const local = (p: string): string => join(app.stateDir, 'root', p);
function put(hostPath: string, content: string | Buffer): void {
  mkdirSync(dirname(local(hostPath)), { recursive: true });
  writeFileSync(local(hostPath), content);
}
function readConfig(name: string): ReturnType<typeof configFromXl> {
  const text = readFileSync(local(`/etc/xen/${name}.cfg`), 'utf8');
  return configFromXl(parseXlConfig(text).toObject() as Record<string, unknown>);
}

async function openWizard(page: Page): Promise<void> {
  // From anywhere, the console page included (it has no sidebar).
  await page.evaluate(() => {
    location.hash = '#/domains';
  });
  await page.getByTestId('nav-new').click();
  await page.getByTestId('wiz-body-type').waitFor();
}

async function next(page: Page, to: string): Promise<void> {
  await page.getByTestId('wiz-next').click();
  await page.getByTestId(`wiz-body-${to}`).waitFor();
}

/** Clicks Next and expects to stay on `step` with an error naming the field. */
async function refused(page: Page, step: string, field: string, words: RegExp): Promise<void> {
  await page.getByTestId('wiz-next').click();
  const err = page.getByTestId(`err-${field}`);
  await err.waitFor();
  expect(await err.textContent()).toMatch(words);
  expect(await page.getByTestId(`wiz-body-${step}`).isVisible()).toBe(true);
}

const GiB = 1024 ** 3;

describe('the new-VM wizard on the demo host', () => {
  const precious = randomBytes(256 * 1024);
  beforeAll(async () => {
    app = await startWebApp();
    put('/var/lib/xen/iso/install.iso', 'ISO 9660 stand-in');
    put('/var/lib/xen/boot/vmlinuz-e2e', 'kernel');
    put('/var/lib/xen/boot/initrd-e2e.gz', 'initrd');
    put('/var/lib/xen/images/taken.img', 'someone else');
    put('/var/lib/xen/images/shared-data.img', precious);
    put('/var/lib/xen/images/spare-data.img', precious);
    await app.page.getByTestId('title-host').filter({ hasText: 'Xen 4.17' }).waitFor();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('creates an HVM guest installing from an ISO, through every step', async () => {
    const { page } = app;
    await openWizard(page);
    // Step 1: type and method.
    expect(await page.getByTestId('wiz-steps').textContent()).toContain('Name and finish');
    await page.getByTestId('wiz-type-hvm').click();
    await page.getByTestId('wiz-method-iso').click();
    await app.shot('wizard-hvm-1-type');
    await next(page, 'source');

    // Step 2: the ISO is required; chosen through main's file chooser.
    await refused(page, 'source', 'iso', /^Install ISO /);
    await page.getByTestId('wiz-iso-browse').click();
    await page.getByTestId('wiz-iso-chooser-entry-iso').click();
    await page.getByTestId('wiz-iso-chooser-entry-install.iso').waitFor();
    await app.shot('wizard-hvm-2-chooser');
    await page.getByTestId('wiz-iso-chooser-entry-install.iso').click();
    expect(await page.getByTestId('wiz-iso').inputValue()).toBe('/var/lib/xen/iso/install.iso');
    // Or from the ISO library: every ISO in the storage pools, with its size and pool.
    const library = page.getByTestId('wiz-iso-library');
    expect(await library.locator('option').allTextContents()).toEqual([
      'Choose one of 2 ISO images…',
      'alpine-virt-3.20.3-x86_64.iso · 63 MiB · isos',
      'debian-12.8.0-amd64-netinst.iso · 631 MiB · isos',
    ]);
    await library.selectOption('/var/lib/xen/isos/debian-12.8.0-amd64-netinst.iso');
    expect(await page.getByTestId('wiz-iso').inputValue()).toBe('/var/lib/xen/isos/debian-12.8.0-amd64-netinst.iso');
    await page.getByTestId('wiz-iso').fill('/var/lib/xen/iso/install.iso');
    expect(await library.inputValue()).toBe('');
    await page.getByTestId('wiz-preset').selectOption('debian');
    await app.shot('wizard-hvm-2-source');
    await next(page, 'cpu');

    // Step 3: CPU and memory; junk is refused naming the field.
    await page.getByTestId('wiz-memoryMiB').fill('lots');
    await refused(page, 'cpu', 'memoryMiB', /^Memory must be a number/);
    // The refused Next puts the keyboard on the wrong field, which names its error.
    expect(await page.evaluate(() => [document.activeElement?.getAttribute('data-testid'), document.activeElement?.getAttribute('aria-describedby')])).toEqual(['wiz-memoryMiB', 'wiz-err-memoryMiB']);
    await page.getByTestId('wiz-memoryMiB').fill('2048');
    await page.getByTestId('wiz-maxMemMiB').fill('1024');
    await refused(page, 'cpu', 'memoryMiB', /^Memory must not be more than the maximum memory \(1024 MiB\)/);
    await page.getByTestId('wiz-memoryMiB').fill('512');
    await page.getByTestId('wiz-vcpus').fill('1');
    await page.getByTestId('wiz-maxVcpus').fill('2');
    expect(await page.getByTestId('wiz-host-facts').textContent()).toMatch(/The host has 8 CPUs and .* free of/);
    await app.shot('wizard-hvm-3-cpu');
    await next(page, 'storage');

    // Step 4: a new image; `..` and an existing file are refused (the second by main, which looks at the host).
    await page.getByTestId('wiz-disk0-file').fill('../../etc/passwd');
    await refused(page, 'storage', 'disks[0].path', /^Disk 1 path may not contain "\." or "\.\." segments/);
    await page.getByTestId('wiz-disk0-file').fill('taken.img');
    await refused(page, 'storage', 'disks[0].path', /^Disk 1 path \/var\/lib\/xen\/images\/taken\.img already exists/);
    await page.getByTestId('wiz-disk0-file').fill('e2e-hvm.img');
    await page.getByTestId('wiz-disk0-size').fill('99999');
    await refused(page, 'storage', 'disks[0].sizeGiB', /^Disk 1 size must be at most 16384 GiB/);
    await page.getByTestId('wiz-disk0-size').fill('8');
    await page.getByTestId('wiz-free').waitFor();
    await app.shot('wizard-hvm-4-storage');
    await next(page, 'network');

    // Step 5: the host's bridge, a fresh MAC, the e1000 model.
    const mac = await page.getByTestId('wiz-nic0-mac').inputValue();
    expect(mac).toMatch(/^00:16:3e:[0-7][0-9a-f]:[0-9a-f]{2}:[0-9a-f]{2}$/);
    await page.getByTestId('wiz-nic0-mac').fill('00:16:3e:00:00:zz');
    await refused(page, 'network', 'nics[0].mac', /^Network interface 1 MAC address must be six hex pairs/);
    await page.getByTestId('wiz-nic0-mac').fill(mac);
    await page.getByTestId('wiz-nic0-bridge').selectOption('xenbr0');
    await page.getByTestId('wiz-nic0-model').selectOption('e1000');
    await app.shot('wizard-hvm-5-network');
    await next(page, 'finish');

    // Step 6: the name, the exact config, Finish with per-phase progress.
    await page.getByTestId('wiz-name').fill('web1"\nbootloader="/bin/sh');
    await page.getByTestId('err-name').waitFor();
    expect(await page.getByTestId('err-name').textContent()).toMatch(/^Name may only use letters/);
    expect(await page.getByTestId('wiz-finish').isDisabled()).toBe(true);
    await page.getByTestId('wiz-name').fill('e2e-hvm');
    await page.getByTestId('wiz-preview').filter({ hasText: 'name = "e2e-hvm"' }).waitFor();
    const previewText = await page.getByTestId('wiz-preview').textContent();
    await app.shot('wizard-hvm-6-finish');
    await page.emulateMedia({ colorScheme: 'dark' });
    await app.shot('wizard-hvm-6-finish-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByTestId('wiz-finish').click();
    await page.getByTestId('wiz-outcome').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('wiz-outcome').textContent()).toBe('e2e-hvm is running.');
    for (const phase of ['validate', 'disks', 'config', 'check', 'start']) {
      expect(await page.getByTestId(`wiz-phase-${phase}`).getAttribute('data-state')).toBe('done');
    }
    await app.shot('wizard-hvm-7-done');

    // The written file is the previewed text, and parses back into what was chosen.
    expect(readFileSync(local('/etc/xen/e2e-hvm.cfg'), 'utf8')).toBe(`${previewText ?? ''}`);
    const cfg = readConfig('e2e-hvm');
    expect(cfg).toMatchObject({ name: 'e2e-hvm', type: 'hvm', memory: 512, maxmem: 1024, vcpus: 1, maxvcpus: 2, boot: 'dc', vnc: true, usb: true, usbdevice: ['tablet'], serial: 'pty' });
    expect(cfg.disks).toEqual([
      { target: '/var/lib/xen/images/e2e-hvm.img', format: 'raw', vdev: 'xvda', access: 'rw' },
      { target: '/var/lib/xen/iso/install.iso', format: 'raw', vdev: 'hdc', access: 'ro', devtype: 'cdrom' },
    ]);
    expect(cfg.vifs).toEqual([{ mac, bridge: 'xenbr0', model: 'e1000' }]);
    expect(statSync(local('/var/lib/xen/images/e2e-hvm.img')).size).toBe(8 * GiB);
    expect(readFileSync(local('/var/lib/xen/images/taken.img'), 'utf8')).toBe('someone else');
  });

  it('installs an HVM guest onto a new logical volume, from an ISO in the library', async () => {
    const { page } = app;
    await openWizard(page);
    await page.getByTestId('wiz-type-hvm').click();
    await page.getByTestId('wiz-method-iso').click();
    await next(page, 'source');
    await page.getByTestId('wiz-iso-library').selectOption('/var/lib/xen/isos/debian-12.8.0-amd64-netinst.iso');
    await next(page, 'cpu');
    await next(page, 'storage');
    const pools = await page.getByTestId('wiz-disk0-pool').locator('option').allTextContents();
    expect(pools).toEqual(['default · /var/lib/xen/images', 'isos · /var/lib/xen/isos', expect.stringMatching(/^vg0 · LVM \/dev\/vg0, thin · \d+ GiB free$/) as string]);
    await page.getByTestId('wiz-disk0-pool').selectOption('vg0');
    expect(await page.getByTestId('wiz-disk0-format').isDisabled()).toBe(false);
    expect(await page.getByTestId('wiz-disk0-format').locator('option[value="qcow2"]').isDisabled()).toBe(true);
    await page.getByTestId('wiz-disk0-size').fill('20');
    await app.shot('wizard-lv-storage');
    await next(page, 'network');
    await next(page, 'finish');
    await page.getByTestId('wiz-name').fill('e2e-lv');
    await page.getByTestId('wiz-preview').filter({ hasText: '"/dev/vg0/e2e-lv,raw,xvda,rw"' }).waitFor();
    await page.getByTestId('wiz-finish').click();
    await page.getByTestId('wiz-outcome').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('wiz-outcome').textContent()).toBe('e2e-lv is running.');
    expect(readConfig('e2e-lv').disks).toEqual([
      { target: '/dev/vg0/e2e-lv', format: 'raw', vdev: 'xvda', access: 'rw' },
      { target: '/var/lib/xen/isos/debian-12.8.0-amd64-netinst.iso', format: 'raw', vdev: 'hdc', access: 'ro', devtype: 'cdrom' },
    ]);
    // The Storage view lists the new volume, used by the new guest; the ISO is used as its CD.
    await page.getByTestId('nav-storage').click();
    await page.getByTestId('pool-vg0').click();
    await expect(page.getByTestId('volume-e2e-lv').textContent()).resolves.toContain('e2e-lv (xvda, read-write, running)');
    await page.getByTestId('pool-isos').click();
    await expect(page.getByTestId('volume-debian-12.8.0-amd64-netinst.iso').textContent()).resolves.toContain('e2e-lv (hdc, CD, running)');
  });

  it('creates a PV guest with direct kernel boot, two disks, two NICs, autostart, and opens its console', async () => {
    const { page } = app;
    await openWizard(page);
    await page.getByTestId('wiz-type-pv').click();
    expect(await page.getByTestId('wiz-method-kernel').locator('input').isChecked()).toBe(true);
    await app.shot('wizard-pv-1-type');
    await next(page, 'source');

    // A typed kernel path is checked like a chosen one: it must exist on the host.
    await page.getByTestId('wiz-kernel').fill('/var/lib/xen/boot/vmlinuz-missing');
    await refused(page, 'source', 'kernel', /^Kernel \/var\/lib\/xen\/boot\/vmlinuz-missing does not exist/);
    await page.getByTestId('wiz-kernel').fill('/var/lib/xen/boot/vmlinuz-e2e');
    await page.getByTestId('wiz-ramdisk-browse').click();
    await page.getByTestId('wiz-ramdisk-chooser-entry-boot').click();
    await page.getByTestId('wiz-ramdisk-chooser-entry-initrd-e2e.gz').click();
    await page.getByTestId('wiz-cmdline').fill('console=hvc0 "quoted"');
    await refused(page, 'source', 'cmdline', /^Kernel command line may not contain quotes/);
    await page.getByTestId('wiz-cmdline').fill('console=hvc0 root=/dev/xvda ro');
    await page.getByTestId('wiz-preset').selectOption('alpine');
    await app.shot('wizard-pv-2-source');
    await next(page, 'cpu');

    expect(await page.getByTestId('wiz-memoryMiB').inputValue()).toBe('512');
    await page.getByTestId('wiz-memoryMiB').fill('256');
    await page.getByTestId('wiz-maxMemMiB').fill('512');
    await app.shot('wizard-pv-3-cpu');
    // Enter in a field is Next.
    await page.getByTestId('wiz-maxMemMiB').press('Enter');
    await page.getByTestId('wiz-body-storage').waitFor();

    expect(await page.getByTestId('wiz-disk0-size').inputValue()).toBe('4');
    await page.getByTestId('wiz-disk0-size').fill('2');
    await page.getByTestId('wiz-disk-add').click();
    await page.getByTestId('wiz-disk1-mode-existing').click();
    await page.getByTestId('wiz-disk1-path').fill('/var/lib/xen/images/shared-data.img');
    await page.getByTestId('wiz-disk1-vdev').fill('xvda');
    await refused(page, 'storage', 'disks[1].vdev', /^Disk 2 device name xvda is already used by disk 1/);
    await page.getByTestId('wiz-disk1-vdev').fill('xvdb');
    await app.shot('wizard-pv-4-storage');
    await next(page, 'network');

    expect(await page.getByTestId('wiz-nic0-model').count()).toBe(0);
    await page.getByTestId('wiz-nic0-random').click();
    await page.getByTestId('wiz-nic-add').click();
    await page.getByTestId('wiz-nic1-bridge').selectOption('xenbr1');
    const mac0 = await page.getByTestId('wiz-nic0-mac').inputValue();
    await page.getByTestId('wiz-nic1-mac').fill(mac0.toUpperCase());
    await refused(page, 'network', 'nics[1].mac', /^Network interface 2 MAC address .* is already network interface 1/);
    await page.getByTestId('wiz-nic1-random').click();
    const mac1 = await page.getByTestId('wiz-nic1-mac').inputValue();
    await app.shot('wizard-pv-5-network');
    await next(page, 'finish');

    await page.getByTestId('wiz-name').fill('e2e-pv');
    await page.getByTestId('wiz-autostart').check();
    await page.getByTestId('wiz-open-console').check();
    await page.getByTestId('wiz-preview').filter({ hasText: 'name = "e2e-pv"' }).waitFor();
    await app.shot('wizard-pv-6-finish');
    await page.getByTestId('wiz-finish').click();
    await page.waitForURL(/#\/domains\/e2e-pv\/console$/, { timeout: 20_000 });
    await page.getByTestId('text-console').waitFor();

    const cfg = readConfig('e2e-pv');
    expect(cfg).toMatchObject({ name: 'e2e-pv', type: 'pv', memory: 256, maxmem: 512, vcpus: 1, kernel: '/var/lib/xen/boot/vmlinuz-e2e', ramdisk: '/var/lib/xen/boot/initrd-e2e.gz', cmdline: 'console=hvc0 root=/dev/xvda ro' });
    expect(cfg.disks).toEqual([
      { target: '/var/lib/xen/images/e2e-pv.img', format: 'raw', vdev: 'xvda', access: 'rw' },
      { target: '/var/lib/xen/images/shared-data.img', format: 'raw', vdev: 'xvdb', access: 'rw' },
    ]);
    expect(cfg.vifs).toEqual([{ mac: mac0, bridge: 'xenbr0' }, { mac: mac1, bridge: 'xenbr1' }]);
    expect(cfg.vnc).toBeUndefined();
    expect(posix.resolve('/etc/xen/auto', readlinkSync(local('/etc/xen/auto/e2e-pv.cfg')))).toBe('/etc/xen/e2e-pv.cfg');
    expect(statSync(local('/var/lib/xen/images/e2e-pv.img')).size).toBe(2 * GiB);
    expect(readFileSync(local('/var/lib/xen/images/shared-data.img')).equals(precious)).toBe(true);
    await app.shot('wizard-pv-7-console');
  });

  it('defines a PVH guest booting an existing disk with pygrub and opens its details instead of starting it', async () => {
    const { page } = app;
    put('/var/lib/xen/images/installed.img', precious);
    await openWizard(page);
    await page.getByTestId('wiz-type-pvh').click();
    await page.getByTestId('wiz-method-pygrub').click();
    await next(page, 'source');
    await refused(page, 'source', 'disks[0].path', /^Disk 1 path /);
    await page.getByTestId('wiz-bootdisk-browse').click();
    await page.getByTestId('wiz-bootdisk-chooser-entry-installed.img').click();
    expect(await page.getByTestId('wiz-bootdisk').inputValue()).toBe('/var/lib/xen/images/installed.img');
    await next(page, 'cpu');
    await next(page, 'storage');
    expect(await page.getByTestId('wiz-disk0').textContent()).toContain('boot disk');
    await next(page, 'network');
    await page.getByTestId('wiz-nic0-remove').click();
    await page.getByTestId('wiz-no-nics').waitFor();
    await next(page, 'finish');
    await page.getByTestId('wiz-name').fill('e2e-pvh');
    await page.getByTestId('wiz-customise').check();
    expect(await page.getByTestId('wiz-start-now').isDisabled()).toBe(true);
    await page.getByTestId('wiz-preview').filter({ hasText: 'bootloader = "pygrub"' }).waitFor();
    await page.getByTestId('wiz-warnings').filter({ hasText: 'no network interface' }).waitFor();
    await app.shot('wizard-pvh-6-customise');
    await page.getByTestId('wiz-finish').click();
    await page.waitForURL(/#\/domains\/e2e-pvh\/overview$/, { timeout: 20_000 });
    const cfg = readConfig('e2e-pvh');
    expect(cfg).toMatchObject({ name: 'e2e-pvh', type: 'pvh', bootloader: 'pygrub', vifs: [] });
    expect(cfg.disks).toEqual([{ target: '/var/lib/xen/images/installed.img', format: 'raw', vdev: 'xvda', access: 'rw' }]);
    expect(cfg.kernel).toBeUndefined();
    expect(readFileSync(local('/var/lib/xen/images/installed.img')).equals(precious)).toBe(true);
  });

  it('an xl create failure shows xl\'s message and leaves nothing new behind; the existing disk is untouched', async () => {
    const { page } = app;
    await openWizard(page);
    await page.getByTestId('wiz-type-pvh').click();
    await next(page, 'source');
    await page.getByTestId('wiz-kernel').fill('/var/lib/xen/boot/vmlinuz-e2e');
    await next(page, 'cpu');
    // More than the demo host has free: xl create -n accepts it, xl create fails to allocate.
    await page.getByTestId('wiz-memoryMiB').fill('15000');
    await page.getByTestId('wiz-maxMemMiB').fill('15000');
    await page.getByTestId('wiz-overcommit').waitFor();
    await next(page, 'storage');
    await page.getByTestId('wiz-disk-add').click();
    await page.getByTestId('wiz-disk1-mode-existing').click();
    // The guest created earlier (e2e-pv, running) writes shared-data.img: a second domain may not have it.
    await page.getByTestId('wiz-disk1-path').fill('/var/lib/xen/images/shared-data.img');
    await refused(page, 'storage', 'disks[1].path', /^Disk 2 path \/var\/lib\/xen\/images\/shared-data\.img is used read-write by running domain e2e-pv as xvdb; two domains writing one disk corrupt it. Use it read-only on both sides, or choose another disk$/);
    await app.shot('wizard-disk-in-use');
    await page.getByTestId('wiz-disk1-path').fill('/var/lib/xen/images/spare-data.img');
    await next(page, 'network');
    await next(page, 'finish');
    await page.getByTestId('wiz-name').fill('e2e-oom');
    await page.getByTestId('wiz-autostart').check();
    await page.getByTestId('wiz-warnings').filter({ hasText: 'more than the host' }).waitFor();
    await page.getByTestId('wiz-finish').click();
    await page.getByTestId('wiz-error').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('wiz-phase-start').getAttribute('data-state')).toBe('failed');
    expect(await page.getByTestId('wiz-phase-cleanup').getAttribute('data-state')).toBe('done');
    await page.getByTestId('wiz-error-toggle').click();
    expect(await page.getByTestId('wiz-error-detail').textContent()).toMatch(/Out of memory|Cannot allocate memory/);
    await app.shot('wizard-failure');
    expect(existsSync(local('/etc/xen/e2e-oom.cfg'))).toBe(false);
    expect(existsSync(local('/etc/xen/auto/e2e-oom.cfg'))).toBe(false);
    expect(existsSync(local('/var/lib/xen/images/e2e-oom.img'))).toBe(false);
    expect(readFileSync(local('/var/lib/xen/images/spare-data.img')).equals(precious)).toBe(true);
    expect(readFileSync(local('/var/lib/xen/images/shared-data.img')).equals(precious)).toBe(true);
    // Back to the wizard keeps what was typed.
    await page.getByTestId('wiz-retry').click();
    expect(await page.getByTestId('wiz-name').inputValue()).toBe('e2e-oom');
  });
});
