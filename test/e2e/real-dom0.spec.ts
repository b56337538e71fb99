import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startWebApp, type WebApp } from './support/harness';

// Defects first seen against a real dom0 (issue #20), shown here on the demo host, which now lacks what stock Debian
// lacks (/var/lib/xen/save) and has what a real dom0 has (the kernel its guests boot).

let app: WebApp;
const local = (p: string): string => join(app.stateDir, 'root', p);

async function go(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
}

async function editorText(page: Page): Promise<string> {
  return page.getByTestId('config-text').inputValue();
}

describe('real-dom0 defects, on the demo host', () => {
  beforeAll(async () => {
    app = await startWebApp();
    await app.page.getByTestId('domain-row-web01').waitFor();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('the Network tab survives a reload while host facts are still loading', async () => {
    const { page } = app;
    await go(page, '#/domains/web01/network');
    await page.getByTestId('panel-network').waitFor();
    await page.reload();
    await page.getByTestId('panel-network').waitFor();
    // The bridge list fills in once host facts arrive; the page never went blank on the way.
    await page.locator('[data-testid="panel-network"] option[value="xenbr0"]').first().waitFor({ state: 'attached' });
    expect(await page.getByTestId('domain-details').isVisible()).toBe(true);
    await app.shot('real-dom0-network-reload');
  });

  it('the raw editor never carries one domain\'s unsaved text to another', async () => {
    const { page } = app;
    await go(page, '#/domains/mail01/config');
    await page.waitForFunction(() => (document.querySelector('[data-testid="config-text"]') as HTMLTextAreaElement | null)?.value.includes('name = "mail01"'));
    const mail = await editorText(page);
    await page.getByTestId('config-text').fill(`${mail}# unsaved edit of mail01\n`);
    await page.waitForFunction(() => document.querySelector('[data-testid="config-status"]')?.textContent === 'Valid; not saved');
    await go(page, '#/domains/web01/config');
    await page.waitForFunction(() => (document.querySelector('[data-testid="config-text"]') as HTMLTextAreaElement | null)?.value.includes('name = "web01"'));
    const web = await editorText(page);
    expect(web).not.toContain('mail01');
    expect(await page.getByTestId('config-revert').isDisabled()).toBe(true);
    await page.waitForFunction(() => document.querySelector('[data-testid="config-status"]')?.textContent === 'Valid');
    await app.shot('real-dom0-editor-switch');
  });

  it('Save makes Xenith\'s save directory when the host has none, saying so first; another missing folder is refused', async () => {
    const { page } = app;
    expect(existsSync(local('/var/lib/xen/save'))).toBe(false);
    await go(page, '#/domains');
    await page.getByTestId('domain-row-db01').click();
    await page.getByTestId('action-save').click();
    const note = page.getByTestId('save-folder-note');
    await note.filter({ hasText: '/var/lib/xen/save does not exist yet; Xenith creates it.' }).waitFor();
    await page.setViewportSize({ width: 1400, height: 900 });
    await app.shot('real-dom0-save-creates-dir-1400');
    await page.setViewportSize({ width: 1024, height: 700 });
    await app.shot('real-dom0-save-creates-dir-1024');
    await page.setViewportSize({ width: 1360, height: 860 });
    await page.getByTestId('save-file').fill('/srv/nowhere/db01.save');
    await note.filter({ hasText: 'The folder /srv/nowhere does not exist.' }).waitFor();
    expect(await page.getByTestId('save-confirm').isDisabled()).toBe(true);
    await page.getByTestId('save-file').fill('/var/lib/xen/save/db01.save');
    await note.filter({ hasText: 'Xenith creates it' }).waitFor();
    await page.getByTestId('save-confirm').click();
    // Saved into Xenith's save directory as NAME.save, the domain is listed as saved (restore is offered on Start).
    await page.waitForFunction(() => document.querySelector('[data-testid="domain-row-db01"]')?.getAttribute('data-state') === 'saved', undefined, { timeout: 30_000 });
    expect(statSync(local('/var/lib/xen/save')).isDirectory()).toBe(true);
    expect(existsSync(local('/var/lib/xen/save/db01.save'))).toBe(true);
  });

  it('the wizard\'s kernel path can be finished with the kernel the demo host\'s own guests boot', async () => {
    const { page } = app;
    await go(page, '#/domains');
    await page.getByTestId('nav-new').click();
    await page.getByTestId('wiz-type-pv').click();
    await page.getByTestId('wiz-next').click();
    await page.getByTestId('wiz-body-source').waitFor();
    await page.getByTestId('wiz-kernel-browse').click();
    // Folders and files are drawn as SVG (emoji were empty boxes in Debian's Chromium).
    await page.locator('[data-testid="wiz-kernel-chooser-entry-boot"] svg.file-icon[data-kind="dir"]').waitFor();
    await page.getByTestId('wiz-kernel-chooser-entry-boot').click();
    await page.getByTestId('wiz-kernel-chooser-entry-vmlinuz-6.1.0-50-amd64').click();
    expect(await page.getByTestId('wiz-kernel').inputValue()).toBe('/var/lib/xen/boot/vmlinuz-6.1.0-50-amd64');
    for (const step of ['cpu', 'storage', 'network', 'finish']) {
      await page.getByTestId('wiz-next').click();
      await page.getByTestId(`wiz-body-${step}`).waitFor();
    }
    await page.getByTestId('wiz-name').fill('e2e-kernel');
    await page.getByTestId('wiz-preview').filter({ hasText: 'kernel = "/var/lib/xen/boot/vmlinuz-6.1.0-50-amd64"' }).waitFor();
    await app.shot('real-dom0-wizard-kernel');
    await page.getByTestId('wiz-finish').click();
    await page.locator('[data-testid="wiz-phase-start"][data-state="done"]').waitFor({ timeout: 30_000 });
    expect(existsSync(local('/etc/xen/e2e-kernel.cfg'))).toBe(true);
    // New VM… again starts a fresh wizard (it used to do nothing here), with a name no domain has.
    await page.getByTestId('nav-new').click();
    await page.getByTestId('wiz-body-type').waitFor();
    expect(await page.getByTestId('wiz-phase-start').count()).toBe(0);
    await go(page, '#/domains');
    await page.locator('[data-testid="domain-row-e2e-kernel"][data-state="running"], [data-testid="domain-row-e2e-kernel"][data-state="blocked"]').waitFor({ timeout: 30_000 });
  });
});
