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

/** Screenshots at the two window sizes people use, then back to the first. */
async function shots(app: WebApp, name: string): Promise<void> {
  for (const [w, h] of [[1024, 700], [1400, 900]] as const) {
    await app.page.setViewportSize({ width: w, height: h });
    await app.shot(`${name}-${w}x${h}`);
  }
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
    await shots(app, 'everyday-cd-ejected');
    await page.reload();
    await page.getByTestId('panel-disks').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="disk-path-hdc"]')?.textContent === 'Empty now (no medium)', undefined, { timeout: 10_000 });
    await afterEject();
    await page.getByTestId('cd-insert-hdc').click();
    await page.waitForFunction((iso) => document.querySelector('[data-testid="disk-path-hdc"]')?.textContent === iso, ISO, { timeout: 10_000 });
    await expect(page.getByTestId('disk-next-hdc').count()).resolves.toBe(0);
    await expect(page.getByTestId('cd-eject-hdc').isEnabled()).resolves.toBe(true);
  });
});
