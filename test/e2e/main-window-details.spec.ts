import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startWebApp, type WebApp } from './support/harness';

async function openTab(page: Page, name: string, tab: string): Promise<void> {
  await page.evaluate(([n, t]) => (location.hash = `#/domains/${n}/${t}`), [name, tab] as const);
  await page.getByTestId(`panel-${tab}`).waitFor();
}

/** The demo host keeps its files under the state dir; find a file's text by its host path's end. */
function findHostFile(root: string, suffix: string): string | null {
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop() ?? '';
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) stack.push(p);
      else if (p.endsWith(suffix)) return p;
    }
  }
  return null;
}

describe('domain details on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp();
    await app.page.getByTestId('domain-row-web01').waitFor();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('Overview: name, UUID, type, state, config file and autostart', async () => {
    const { page } = app;
    await openTab(page, 'web01', 'overview');
    await expect(page.getByTestId('ov-type').textContent()).resolves.toBe('PV');
    await expect(page.getByTestId('ov-uuid').textContent()).resolves.toMatch(/^[0-9a-f-]{36}$/);
    await expect(page.getByTestId('ov-config').textContent()).resolves.toBe('/etc/xen/web01.cfg');
    await expect(page.getByTestId('ov-autostart').isChecked()).resolves.toBe(true);
    await app.shot('details-overview');
  });

  it('Overview: sends a magic SysRq key after saying what it does; a stopped domain has no kernel to send it to', async () => {
    const { page } = app;
    await openTab(page, 'web01', 'overview');
    await page.getByTestId('ov-sysrq-key').selectOption('m');
    await page.getByTestId('ov-sysrq').click();
    const dialog = page.getByTestId('ov-sysrq-confirm');
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain('The guest\'s kernel will dump memory information to the console.');
    await app.shot('details-overview-sysrq-confirm');
    await page.getByTestId('ov-sysrq-confirm-confirm').click();
    await expect(page.getByTestId('ov-sysrq-done').textContent()).resolves.toBe('Sent SysRq m: dump memory information to the console.');
    await openTab(page, 'test-pvh', 'overview');
    await expect(page.getByTestId('ov-sysrq').isDisabled()).resolves.toBe(true);
  });

  it('Performance: four graphs that fill every second, with a time-window choice', async () => {
    const { page } = app;
    await openTab(page, 'win-desktop', 'performance');
    await page.waitForTimeout(3000);
    for (const id of ['chart-cpu', 'chart-mem', 'chart-disk', 'chart-net']) {
      const path = await page.getByTestId(id).locator('path.recharts-line-curve').first().getAttribute('d');
      expect(path?.length ?? 0).toBeGreaterThan(10);
    }
    await page.getByTestId('perf-window').selectOption('1m');
    await app.shot('details-performance');
    await page.getByTestId('perf-window').selectOption('24h');
    await page.getByTestId('chart-cpu').waitFor();
  });

  it('CPUs: sets vCPUs now and at next boot, pins a vCPU and sets the credit2 weight', async () => {
    const { page } = app;
    await openTab(page, 'web01', 'cpus');
    await page.getByTestId('vcpu-row-0').waitFor();
    await page.getByTestId('cpu-vcpus').fill('3');
    await expect(page.getByTestId('cpu-apply-both').isChecked()).resolves.toBe(true);
    await page.getByTestId('cpu-save').click();
    await page.getByTestId('cpu-save-done').waitFor();
    await page.getByTestId('vcpu-row-2').waitFor({ timeout: 10_000 });
    const cfg = findHostFile(app.stateDir, 'etc/xen/web01.cfg');
    expect(cfg && readFileSync(cfg, 'utf8')).toMatch(/^vcpus = 3$/m);
    expect(cfg && readFileSync(cfg, 'utf8')).toContain('# web01: created by the Xenith demo host');
    await page.getByTestId('pin-input-0').fill('0-1');
    await page.getByTestId('pin-btn-0').click();
    await page.getByTestId('pin-done').waitFor();
    await page.getByTestId('sched-weight').fill('512');
    await page.getByTestId('sched-save').click();
    await page.getByTestId('sched-save-done').waitFor();
    await app.shot('details-cpus');
  });

  it('Memory: a live target above the maximum is refused in words; within it, it applies', async () => {
    const { page } = app;
    await openTab(page, 'web01', 'memory');
    await page.getByTestId('mem-target').fill('1536');
    await page.getByTestId('mem-apply-live').check();
    await page.getByTestId('mem-save').click();
    await page.getByTestId('mem-save-done').waitFor();
    await expect(page.getByTestId('mem-save-done').textContent()).resolves.toContain('now');
    await app.shot('details-memory');
  });

  it('Boot: kernel and what happens on crash, saved for next boot', async () => {
    const { page } = app;
    await openTab(page, 'web01', 'boot');
    await expect(page.getByTestId('boot-kernel').inputValue()).resolves.toContain('vmlinuz');
    await page.getByTestId('boot-on_crash').selectOption('preserve');
    await page.getByTestId('boot-save').click();
    await page.getByTestId('boot-save-done').waitFor();
    const cfg = findHostFile(app.stateDir, 'etc/xen/web01.cfg');
    expect(cfg && readFileSync(cfg, 'utf8')).toMatch(/^on_crash = "preserve"$/m);
    await app.shot('details-boot');
    await openTab(page, 'win-desktop', 'boot');
    await page.getByTestId('boot-firmware').waitFor();
    await page.getByTestId('boot-order').waitFor();
  });

  it('Disks: lists size on the host, creates and attaches a new image now and in the config, detaches it', async () => {
    const { page } = app;
    await openTab(page, 'web01', 'disks');
    await page.getByTestId('disk-row-xvda').waitFor();
    await expect(page.getByTestId('disk-row-xvda').textContent()).resolves.toContain('10 GiB');
    await expect(page.getByTestId('disk-vdev').inputValue()).resolves.toBe('xvdb');
    await page.getByTestId('disk-size').fill('2');
    await page.getByTestId('disk-attach').click();
    await page.getByTestId('disk-attach-done').waitFor();
    await page.getByTestId('disk-row-xvdb').waitFor();
    await expect(page.getByTestId('disk-row-xvdb').textContent()).resolves.toContain('now and at boot');
    await app.shot('details-disks');
    // The same path again: refused, nothing overwritten.
    await page.getByTestId('disk-vdev').fill('xvdc');
    await page.getByTestId('disk-path').fill('/var/lib/xen/images/web01-xvdb.img');
    await page.getByTestId('disk-attach').click();
    await page.getByTestId('disk-attach-error').waitFor();
    await expect(page.getByTestId('disk-attach-error-words').textContent()).resolves.toContain('already exists');
    await page.getByTestId('disk-detach-xvdb').click();
    await page.getByTestId('detach-dialog-confirm').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="disk-row-xvdb"]') === null, undefined, { timeout: 10_000 });
  });

  it('Disks: ejects and inserts a CD in an HVM guest', async () => {
    const { page } = app;
    await openTab(page, 'win-desktop', 'disks');
    await page.getByTestId('cd-eject-hdc').click();
    await page.getByTestId('cd-done').waitFor();
    await page.getByTestId('cd-path-hdc').fill('/var/lib/xen/iso/debian-12.7.0-amd64-netinst.iso');
    await page.getByTestId('cd-insert-hdc').click();
    await page.getByTestId('cd-done').waitFor();
  });

  it('Network: attaches an interface now and in the config, then detaches it', async () => {
    const { page } = app;
    await openTab(page, 'web01', 'network');
    await page.locator('[data-testid^="nic-row-"]').first().waitFor();
    const before = await page.locator('[data-testid^="nic-row-"]').count();
    await page.getByTestId('nic-mac').fill('00:16:3e:aa:bb:cc');
    await page.getByTestId('nic-attach').click();
    await page.getByTestId('nic-attach-done').waitFor();
    await page.getByTestId('nic-row-00:16:3e:aa:bb:cc').waitFor();
    expect(await page.locator('[data-testid^="nic-row-"]').count()).toBe(before + 1);
    await app.shot('details-network');
    await page.getByTestId('nic-detach-00:16:3e:aa:bb:cc').click();
    await page.getByTestId('nic-detach-dialog-confirm').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="nic-row-00:16:3e:aa:bb:cc"]') === null, undefined, { timeout: 10_000 });
  });

  it('Display: shows where VNC listens, edits it for next boot, opens the console route', async () => {
    const { page } = app;
    await openTab(page, 'win-desktop', 'display');
    await expect(page.getByTestId('vnc-enabled').isChecked()).resolves.toBe(true);
    await page.getByTestId('vnc-display').fill('7');
    await page.getByTestId('vnc-save').click();
    await page.getByTestId('vnc-save-done').waitFor();
    const cfg = findHostFile(app.stateDir, 'etc/xen/win-desktop.cfg');
    expect(cfg && readFileSync(cfg, 'utf8')).toMatch(/^vncdisplay = 7$/m);
    await app.shot('details-display');
    await page.getByTestId('open-vnc-console').click();
    // The console opens inside the app, on the domain's Console tab, with the way back beside it.
    await page.waitForURL(/#\/domains\/win-desktop\/console\/vnc$/);
    await page.getByTestId('vnc-console').waitFor();
    await page.getByTestId('back-to-list').waitFor();
  });

  it('Config: checks the text as you type, shows a diff, and saves', async () => {
    const { page } = app;
    await openTab(page, 'mail01', 'config');
    const area = page.getByTestId('config-text');
    await page.waitForFunction(() => (document.querySelector('[data-testid="config-text"]') as HTMLTextAreaElement | null)?.value.includes('name = "mail01"'));
    const original = await area.inputValue();
    await area.fill(original.replace('memory = 512', 'memory = "lots"'));
    await page.getByTestId('config-problems').waitFor();
    await expect(page.getByTestId('config-save').isDisabled()).resolves.toBe(true);
    await app.shot('details-config-invalid');
    await area.fill(original.replace('memory = 512', 'memory = 768'));
    await page.waitForFunction(() => document.querySelector('[data-testid="config-status"]')?.textContent === 'Valid; not saved');
    await page.getByTestId('config-save').click();
    await page.getByTestId('config-diff').waitFor();
    await expect(page.getByTestId('config-diff').textContent()).resolves.toContain('+memory = 768');
    await app.shot('details-config-diff');
    await page.getByTestId('config-save-confirm').click();
    await page.getByTestId('config-save-done').waitFor();
    const cfg = findHostFile(app.stateDir, 'etc/xen/mail01.cfg');
    expect(cfg && readFileSync(cfg, 'utf8')).toMatch(/^memory = 768$/m);
  });

  it('Console: the tab embeds the text console, switches to the graphical one, and opens it in its own view', async () => {
    const { page } = app;
    await openTab(page, 'win-desktop', 'console');
    await page.locator('[data-testid="console-state"]', { hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('text-console').waitFor();
    await app.shot('details-console-text');
    await page.getByTestId('console-tab-vnc').click();
    await page.getByTestId('vnc-console').waitFor();
    await page.locator('[data-testid="console-state"]', { hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    // The demo display draws colour bars: wait until the canvas shows them (bright, saturated pixels).
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="vnc-screen"] canvas') as HTMLCanvasElement | null;
      const d = c?.getContext('2d')?.getImageData(0, 0, c.width, Math.min(c.height, 200)).data;
      if (!d) return false;
      for (let i = 0; i < d.length; i += 16) if (d[i]! > 150 && d[i + 1]! > 150 && d[i + 2]! < 60) return true;
      return false;
    }, undefined, { timeout: 30_000 });
    await page.mouse.move(0, 0);
    await app.shot('details-console-vnc');
    await page.getByTestId('console-tab-text').click();
    // A window of its own is the explicit choice: a new tab with the console alone.
    const [popup] = await Promise.all([app.context.waitForEvent('page'), page.getByTestId('open-text-console').click()]);
    await popup.waitForURL(/#\/console\/win-desktop\/text$/);
    await popup.getByTestId('console-view').waitFor();
    // Even a console window of its own has a way back into the app.
    await popup.getByTestId('console-back').click();
    await popup.waitForURL(/#\/domains\/win-desktop\/console$/);
    await popup.getByTestId('back-to-list').waitFor();
    await popup.close();
  });

  it('Overview: renames a stopped domain and lands on its new name', async () => {
    const { page } = app;
    await openTab(page, 'test-pvh', 'overview');
    await page.getByTestId('ov-rename-input').fill('test-pvh2');
    await page.getByTestId('ov-rename').click();
    await page.waitForURL(/#\/domains\/test-pvh2\/overview/);
    await page.getByTestId('ov-name').filter({ hasText: 'test-pvh2' }).waitFor();
  });

  it('Domain-0: no config file, said in words, and no stop actions', async () => {
    const { page } = app;
    await openTab(page, 'Domain-0', 'config');
    await expect(page.getByTestId('config-dom0').textContent()).resolves.toContain('has no xl config file');
    await expect(page.getByTestId('details-action-destroy').count()).resolves.toBe(0);
    await openTab(page, 'Domain-0', 'boot');
    await page.getByTestId('panel-boot').filter({ hasText: 'no config file' }).waitFor();
  });

  it('every tab in the dark theme', async () => {
    const { page } = app;
    await page.emulateMedia({ colorScheme: 'dark' });
    for (const tab of ['overview', 'performance', 'cpus', 'memory', 'boot', 'disks', 'network', 'display', 'config']) {
      await openTab(page, 'db01', tab);
      await page.waitForTimeout(tab === 'performance' ? 1200 : 300);
      await app.shot(`details-${tab}-dark`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });
});
