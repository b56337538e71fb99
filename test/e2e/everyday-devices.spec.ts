import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startWebApp, type WebApp } from './support/harness';

// Issue #18, the rest of everyday use on the demo host: a CD eject that shows, a saved domain that says so, and focus
// that comes back to where it was after a dialog.

const ISO = '/var/lib/xen/iso/debian-12.7.0-amd64-netinst.iso';

async function openTab(page: Page, name: string, tab: string): Promise<void> {
  await page.evaluate(([n, t]) => (location.hash = `#/domains/${n}/${t}`), [name, tab] as const);
  await page.getByTestId(`panel-${tab}`).waitFor();
}

async function waitState(page: Page, name: string, state: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    ([n, st]) => document.querySelector(`[data-testid="domain-row-${n}"]`)?.getAttribute('data-state') === st,
    [name, state] as const,
    { timeout },
  );
}

async function runningOrBlocked(page: Page, name: string): Promise<void> {
  await page.waitForFunction((n) => /^(running|blocked)$/.test(document.querySelector(`[data-testid="domain-row-${n}"]`)?.getAttribute('data-state') ?? ''), name, { timeout: 30_000 });
}

async function toList(page: Page): Promise<void> {
  await page.evaluate(() => (location.hash = '#/'));
  await page.getByTestId('domain-row-web01').waitFor();
}

/** Selects `name` in the list and saves it to its default file (DEFAULT_SAVE_DIR/NAME.save). */
async function saveFromList(page: Page, name: string): Promise<void> {
  await page.getByTestId(`domain-row-${name}`).locator('.name-text').click();
  await page.getByTestId('action-save').click();
  await expect(page.getByTestId('save-file').inputValue()).resolves.toBe(`/var/lib/xen/save/${name}.save`);
  await page.getByTestId('save-confirm').click();
  await waitState(page, name, 'saved');
  // A stats frame xentop took while xl save still ran may land after the list's refetch and show it running for a
  // tick: wait until the row has said saved for 2 s.
  await page.waitForFunction(
    (n) => {
      const w = window as unknown as { savedSince?: number };
      if (document.querySelector(`[data-testid="domain-row-${n}"]`)?.getAttribute('data-state') !== 'saved') {
        w.savedSince = undefined;
        return false;
      }
      w.savedSince ??= Date.now();
      return Date.now() - w.savedSince > 2000;
    },
    name,
    { timeout: 30_000, polling: 100 },
  );
}

/** The test id of the focused element, or what it is when it has none ("BODY" when focus fell to the page). */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el?.getAttribute('data-testid') ?? el?.tagName ?? 'none';
  });
}

describe('everyday devices and dialogs on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp({ viewport: { width: 1400, height: 900 } });
    await app.page.getByTestId('domain-row-web01').waitFor();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('a CD eject shows: the row says empty, Eject is off, Insert is on, and a reload says the same', async () => {
    const { page } = app;
    await openTab(page, 'win-desktop', 'disks');
    await expect(page.getByTestId('disk-path-hdc').textContent()).resolves.toBe(ISO);
    await page.getByTestId('cd-eject-hdc').click();
    await page.getByTestId('cd-done').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="disk-path-hdc"]')?.textContent === 'Empty now (no medium)', undefined, { timeout: 10_000 });
    const afterEject = async (): Promise<void> => {
      await expect(page.getByTestId('disk-next-hdc').textContent()).resolves.toBe(`The config inserts ${ISO} at next start.`);
      await expect(page.getByTestId('cd-eject-hdc').isDisabled()).resolves.toBe(true);
      // The config's ISO is offered to put back.
      await expect(page.getByTestId('cd-path-hdc').inputValue()).resolves.toBe(ISO);
      await expect(page.getByTestId('cd-insert-hdc').isEnabled()).resolves.toBe(true);
    };
    await afterEject();
    await app.shots('everyday-cd-ejected');
    await page.reload();
    await page.getByTestId('panel-disks').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="disk-path-hdc"]')?.textContent === 'Empty now (no medium)', undefined, { timeout: 10_000 });
    await afterEject();
    await page.getByTestId('cd-insert-hdc').click();
    await page.waitForFunction((iso) => document.querySelector('[data-testid="disk-path-hdc"]')?.textContent === iso, ISO, { timeout: 10_000 });
    await expect(page.getByTestId('disk-next-hdc').count()).resolves.toBe(0);
    await expect(page.getByTestId('cd-eject-hdc').isEnabled()).resolves.toBe(true);
  });

  it('a saved domain says Saved, and Start asks: restore (the default) or start fresh, which deletes the saved state', async () => {
    const { page } = app;
    await toList(page);
    await saveFromList(page, 'web01');
    await page.getByTestId('saved-badge-web01').waitFor();
    await expect(page.getByTestId('state-web01').textContent()).resolves.toMatch(/^saved: saved \(not running; its memory is in \/var\/lib\/xen\/save\/web01\.save/);
    await app.shots('everyday-saved-list');
    // The keyboard's Start (S) asks too: never a cold boot over the saved state.
    await page.getByTestId('domain-grid-body').focus();
    await page.keyboard.press('s');
    await page.getByTestId('start-saved-dialog').waitFor();
    await expect(page.getByTestId('start-saved-restore').isChecked()).resolves.toBe(true);
    await expect(page.getByTestId('start-saved-confirm').textContent()).resolves.toBe('Restore');
    await app.shots('everyday-start-saved-dialog');
    await page.getByTestId('start-saved-cancel').click();
    await expect(page.getByTestId('domain-row-web01').getAttribute('data-state')).resolves.toBe('saved');
    // Details: the pill and the badge.
    await page.evaluate(() => (location.hash = '#/domains/web01/overview'));
    await expect(page.getByTestId('details-state').textContent()).resolves.toBe('saved');
    await page.getByTestId('details-saved-badge').waitFor();
    await expect(page.getByTestId('ov-state').textContent()).resolves.toMatch(/^saved — saved \(not running; its memory is in \/var\/lib\/xen\/save\/web01\.save/);
    await app.shots('everyday-saved-details');
    await page.getByTestId('details-action-start').click();
    await page.getByTestId('start-saved-confirm').click();
    await toList(page);
    await runningOrBlocked(page, 'web01');
    await expect(page.getByTestId('saved-badge-web01').count()).resolves.toBe(0);
  });

  it('Start fresh says it deletes the saved state, then boots from the config and leaves nothing to restore', async () => {
    const { page } = app;
    await toList(page);
    await saveFromList(page, 'db01');
    await page.getByTestId('action-start').click();
    await page.getByTestId('start-saved-discard').check();
    await expect(page.getByTestId('start-saved-confirm').textContent()).resolves.toBe('Delete saved state and start fresh');
    await app.shots('everyday-start-fresh');
    await page.getByTestId('start-saved-confirm').click();
    await runningOrBlocked(page, 'db01');
    await expect(page.getByTestId('saved-badge-db01').count()).resolves.toBe(0);
    // Shut down again: a plain stopped domain, Start needs no dialog.
    await page.getByTestId('action-shutdown').click();
    await waitState(page, 'db01', 'stopped');
  });

  it('focus comes back to the toolbar button that opened a dialog, whether it closes by Escape or by Cancel', async () => {
    const { page } = app;
    await toList(page);
    await page.getByTestId('domain-row-mail01').locator('.name-text').click();
    // Restore…: opened with Enter, closed with Escape.
    await page.getByTestId('action-restore').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('restore-dialog').waitFor();
    expect(await focused(page)).not.toBe('action-restore');
    await page.keyboard.press('Escape');
    await page.getByTestId('restore-dialog').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement !== document.body);
    expect(await focused(page)).toBe('action-restore');
    // Save…: opened with Space, closed with its Cancel button (pressed from the keyboard).
    await page.getByTestId('action-save').focus();
    await page.keyboard.press('Space');
    await page.getByTestId('save-dialog').waitFor();
    await page.getByTestId('save-dialog').getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('save-dialog').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement !== document.body);
    expect(await focused(page)).toBe('action-save');
    // Force off…: its Cancel has focus first; Enter takes it; focus is back on the button.
    await page.getByTestId('action-destroy').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('destroy-dialog').waitFor();
    expect(await focused(page)).toBe('destroy-dialog-cancel');
    await app.shots('everyday-focus-dialog-open');
    await page.keyboard.press('Enter');
    await page.getByTestId('destroy-dialog').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement !== document.body);
    expect(await focused(page)).toBe('action-destroy');
    await app.shots('everyday-focus-returned');
  });

  it('a dialog opened by a list key gives focus back to the list; when its opener is gone, focus goes to the list too', async () => {
    const { page } = app;
    await toList(page);
    await page.getByTestId('domain-row-mail01').locator('.name-text').click();
    await page.getByTestId('domain-grid-body').focus();
    await page.keyboard.press('f');
    await page.getByTestId('destroy-dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('destroy-dialog').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement !== document.body);
    expect(await focused(page)).toBe('domain-grid-body');
    // Confirmed from the toolbar: Force off turns itself off (mail01 stops), so focus goes to the list, not the page.
    await page.getByTestId('action-destroy').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('destroy-dialog-confirm').click();
    await page.getByTestId('destroy-dialog').waitFor({ state: 'detached' });
    await waitState(page, 'mail01', 'stopped');
    await page.waitForFunction(() => document.activeElement !== document.body);
    await expect(page.getByTestId('action-destroy').isDisabled()).resolves.toBe(true);
    expect(await focused(page)).toBe('domain-grid-body');
  });
});
