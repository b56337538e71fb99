// The app itself against the real Xen host: browser mode started with --host, driven in Debian's Chromium.
// The list shows the real guest with a live CPU graph, pausing from the UI pauses it on Xen, and the text console
// shows the guest banner and heartbeat, runs a typed command and reconnects after `xl reboot`; after a shutdown and a
// new start the ID column shows the new domid.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startWebApp, type WebApp } from '../e2e/support/harness';
import { termText, waitForTermText as waitForTerm } from '../e2e/support/terminal';
import { closeConnection, describeHost, destroyIfPresent, remote, remoteOk, testGuestConfig, waitForDomain } from './support';
import { appArgsFor } from './xen-env';

const NAME = 'xenith-ui';

describeHost('the Xenith UI on the real Xen host', (h) => {
  let app: WebApp | undefined;
  const cfg = `${h.guestDir}/${NAME}.cfg`;

  beforeAll(async () => {
    await destroyIfPresent(h, NAME);
    await remoteOk(h, ['sh', '-c', `cat > ${cfg}`], { input: testGuestConfig(h, NAME) });
    await remoteOk(h, ['xl', 'create', cfg], { timeoutMs: 180_000 });
    await waitForDomain(h, NAME, true, 60_000);
    app = await startWebApp({ args: appArgsFor(h), env: { XENITH_TIMEOUT_SCALE: '6' } });
    await app.context.addInitScript(() => {
      window.__xenithTestHooks = {};
    });
  }, 400_000);
  afterEach(() => app?.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
    await destroyIfPresent(h, NAME);
    await remote(h, ['rm', '-f', cfg]);
    await closeConnection(h);
  });

  it('lists the real guest with a live CPU graph, and pausing it from the UI pauses it on Xen', async () => {
    const page = app!.page;
    await page.getByTestId('status-toolstack').filter({ hasText: 'over SSH' }).waitFor({ timeout: 60_000 });
    await page.getByTestId(`domain-row-${NAME}`).waitFor({ timeout: 60_000 });
    // xentop's CPU% needs two frames; under TCG allow a generous window for a few ticks.
    await page.waitForFunction(
      (n) => (document.querySelector(`[data-testid="spark-cpu-${n}"] path[data-line]`)?.getAttribute('d')?.match(/L/g)?.length ?? 0) >= 2,
      NAME,
      { timeout: 60_000 },
    );
    await app!.shot('xenhost-list');
    await page.getByTestId(`domain-row-${NAME}`).click();
    await page.getByTestId('action-pause').click();
    let flags = '';
    for (let i = 0; i < 60 && !flags.includes('p'); i++) {
      const out = await remoteOk(h, ['xl', 'list', NAME]);
      flags = out.trim().split('\n')[1]?.trim().split(/\s+/)[4] ?? '';
      if (!flags.includes('p')) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(flags).toMatch(/^..p/);
    await page.getByTestId(`state-${NAME}`).filter({ hasText: 'paused' }).waitFor({ timeout: 30_000 });
    await page.getByTestId('action-unpause').click();
    await page.getByTestId(`state-${NAME}`).filter({ hasNotText: 'paused' }).waitFor({ timeout: 30_000 });
    // A change made outside the app (xl on a terminal) shows up from the stats stream, within a tick or two.
    const t0 = Date.now();
    await remoteOk(h, ['xl', 'pause', NAME]);
    await page.getByTestId(`state-${NAME}`).filter({ hasText: 'paused' }).waitFor({ timeout: 30_000 });
    console.log(`outside change seen in the list ${Date.now() - t0} ms after xl pause returned (TCG, over ssh)`);
    await remoteOk(h, ['xl', 'unpause', NAME]);
  }, 300_000);

  it('shows the guest banner and heartbeat in xterm, runs a typed command, and reconnects after xl reboot', async () => {
    const page = app!.page;
    await page.goto('about:blank');
    await page.goto(`${app!.origin}/#/console/${NAME}/text`);
    await page.locator('[data-testid="console-state"]', { hasText: 'Connected' }).waitFor({ timeout: 60_000 });
    await waitForTerm(page, /heartbeat \d+/, 120_000);
    await page.getByTestId('text-console').click();
    await page.keyboard.type('echo ui-$((6*7))\r');
    await waitForTerm(page, /ui-42/, 60_000);
    await app!.shot('xenhost-console');
    // Count banners before the reboot: the new one may arrive before the tab says Connected again.
    const before = (await termText(page)).split('XENITH-TEST-GUEST up').length;
    await remoteOk(h, ['xl', 'reboot', NAME], { timeoutMs: 120_000 });
    await page.locator('[data-testid="console-state"]', { hasText: /Reconnecting|Disconnected/ }).waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="console-state"]', { hasText: 'Connected' }).waitFor({ timeout: 180_000 });
    // The rebooted guest prints its banner again on the new console.
    await waitForTerm(page, /heartbeat \d+/, 120_000);
    const t0 = Date.now();
    while ((await termText(page)).split('XENITH-TEST-GUEST up').length <= before && Date.now() - t0 < 120_000) await page.waitForTimeout(500);
    expect((await termText(page)).split('XENITH-TEST-GUEST up').length).toBeGreaterThan(before);
  }, 600_000);

  it('shows the new domid in the ID column after the guest is shut down and started again', async () => {
    const page = app!.page;
    await page.goto('about:blank');
    await page.goto(app!.url);
    const idCell = page.getByTestId(`domain-row-${NAME}`).getByRole('gridcell').nth(1);
    await idCell.waitFor({ timeout: 60_000 });
    const domid = async (): Promise<string> => (await remoteOk(h, ['xl', 'domid', NAME])).trim();
    const old = await domid();
    await expect.poll(() => idCell.textContent(), { timeout: 60_000 }).toBe(old);
    await remoteOk(h, ['xl', 'shutdown', '-w', NAME], { timeoutMs: 180_000 });
    // Its config is outside /etc/xen, so the list forgets it while it is off.
    await page.getByTestId(`domain-row-${NAME}`).waitFor({ state: 'detached', timeout: 60_000 });
    await remoteOk(h, ['xl', 'create', cfg], { timeoutMs: 180_000 });
    const now = await domid();
    expect(now).not.toBe(old);
    // The list learns it from the stats stream and xl list by itself, and keeps it (not the old one a minute later).
    await expect.poll(() => idCell.textContent(), { timeout: 60_000 }).toBe(now);
    // xl create starts it paused and unpauses it once its devices are up; the list may show that for a tick.
    await expect.poll(() => page.getByTestId(`state-${NAME}`).textContent(), { timeout: 60_000 }).toMatch(/^(running|blocked)/);
    await expect(idCell.textContent()).resolves.toBe(now);
  }, 400_000);
});
