import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startWebApp, type WebApp } from './support/harness';

// The task log (issue #18): every change Xenith makes, who asked, how it ended and xl's words, kept across a restart.

let app: WebApp;

const row = (page: Page, channel: string) => page.locator(`[data-testid^="task-row-"][data-channel="${channel}"]`);

async function openTasks(page: Page): Promise<void> {
  await page.getByTestId('status-tasks').click();
  await page.getByTestId('tasks-page').waitFor();
}

describe('the task log', () => {
  beforeAll(async () => {
    app = await startWebApp({ viewport: { width: 1400, height: 900 } });
    await app.page.getByTestId('domain-row-web01').waitFor();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('lists an operation that worked and one xl refused, with who, where, how long and xl\'s own words', async () => {
    const { page } = app;
    await page.getByTestId('domain-row-web01').click();
    await page.getByTestId('action-pause').click();
    await page.locator('[data-testid="domain-row-web01"] .st-paused').first().waitFor();
    // An 8-CPU host: xl refuses the CPU list itself.
    await page.evaluate(() => (location.hash = '#/domains/mail01/cpus'));
    await page.getByTestId('pin-input-0').fill('0-99');
    await page.getByTestId('pin-btn-0').click();
    await page.getByTestId('pin-error').waitFor();
    // The status bar counts the failure nobody has looked at yet.
    await expect(page.getByTestId('status-tasks-failed').textContent()).resolves.toBe('1 failed');
    await app.shot('tasks-statusbar-failed');
    await openTasks(page);

    const pause = row(page, 'domain:pause');
    await expect(pause.getAttribute('data-state')).resolves.toBe('ok');
    const cells = await pause.locator('td').allTextContents();
    expect(cells[1]).toBe('Pause');
    expect(cells[2]).toBe('web01');
    expect(cells[3]).toBe('demo host');
    expect(cells[4]).toMatch(/^\S+ · browser 127\.0\.0\.1$/);
    expect(cells[5]).toMatch(/^(\d+ ms|\d+\.\d s)$/);
    expect(cells[6]).toBe('✓Done');

    const pin = row(page, 'domain:pinVcpu');
    await expect(pin.getAttribute('data-state')).resolves.toBe('failed');
    await expect(pin.locator('td').nth(1).textContent()).resolves.toBe('Pin vCPU 0 to host CPUs 0-99Invalid cpumap: 0-99');
    // Newest first.
    await expect(page.locator('[data-testid^="task-row-"]').first().getAttribute('data-channel')).resolves.toBe('domain:pinVcpu');
    // Seen: the badge is gone.
    await page.getByTestId('status-tasks-failed').waitFor({ state: 'detached' });

    // By keyboard: the Details button opens xl's full output.
    await pin.getByTestId('task-details-toggle').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('task-xl').textContent()).resolves.toBe('Invalid cpumap: 0-99');
    await expect(pin.getByTestId('task-details-toggle').getAttribute('aria-expanded')).resolves.toBe('true');
    await app.shot('tasks-1400x900');
    await page.setViewportSize({ width: 1024, height: 700 });
    // Narrow: the Host column goes, every other column and the operation's words stay in view.
    await page.locator('.task-table th').filter({ hasText: 'Host' }).waitFor({ state: 'detached' });
    await expect(page.locator('.task-table th').allTextContents()).resolves.toEqual(['Started', 'Operation', 'Domain', 'Who', 'Duration', 'Result']);
    const box = await page.getByTestId('task-table').boundingBox();
    const main = await page.locator('main').boundingBox();
    expect(box && main && box.x + box.width <= main.x + main.width).toBe(true);
    // Every row spans the table (no phantom column where Host was).
    const rowBox = await row(page, 'domain:pause').boundingBox();
    expect(rowBox && box && Math.abs(rowBox.width - box.width)).toBeLessThanOrEqual(2);
    await app.shot('tasks-1024x700');
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('filters by text and by result, and the sidebar and Ctrl+3 lead here too', async () => {
    const { page } = app;
    await page.evaluate(() => (location.hash = '#/host'));
    await page.keyboard.press('Control+3');
    await page.getByTestId('tasks-page').waitFor();
    await expect(page.getByTestId('nav-tasks').getAttribute('aria-current')).resolves.toBe('page');
    await page.getByTestId('tasks-which').selectOption('failed');
    await expect(page.locator('[data-testid^="task-row-"]').count()).resolves.toBe(1);
    await page.getByTestId('tasks-which').selectOption('all');
    await page.getByTestId('tasks-filter').fill('web01');
    await expect(page.locator('[data-testid^="task-row-"]').count()).resolves.toBe(1);
    await page.getByTestId('tasks-filter').fill('zzz');
    await expect(page.getByTestId('tasks-empty').textContent()).resolves.toBe('No task matches.');
    await page.getByTestId('tasks-filter').fill('');
  });

  it('shows a running job with what it is doing, live in another tab, then how it ended', async () => {
    const { page, context } = app;
    const other = await context.newPage();
    await app.openIn(other, '/tasks');
    await other.getByTestId('tasks-page').waitFor();
    // Every state the other tab draws for the save, with the words under its operation.
    await other.evaluate(() => {
      const seen: string[] = ((window as unknown as { seenSave: string[] }).seenSave = []);
      new MutationObserver(() => {
        const r = document.querySelector('[data-channel="domain:save"]');
        const said = `${r?.getAttribute('data-state') ?? ''}|${r?.querySelector('[data-testid="task-progress"]')?.textContent ?? ''}`;
        if (r && seen[seen.length - 1] !== said) seen.push(said);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    await page.evaluate(() => (location.hash = '#/domains'));
    await page.getByTestId('domain-row-web01').click();
    await page.getByTestId('action-unpause').click();
    await page.getByTestId('domain-row-db01').click();
    await page.getByTestId('action-save').click();
    await page.getByTestId('save-confirm').click();
    // A look at it while it runs, when the demo host's 0.8 s save is caught (the observer above asserts it either way).
    await other.locator('[data-channel="domain:save"][data-state="running"]').waitFor({ timeout: 5_000 }).then(
      () => app.shot('tasks-running', other),
      () => undefined,
    );
    const save = row(other, 'domain:save');
    await other.locator('[data-channel="domain:save"][data-state="ok"]').waitFor({ timeout: 30_000 });
    await expect(save.locator('td').nth(1).textContent()).resolves.toMatch(/^Save to \/\S+db01\S*$/);
    const seen = await other.evaluate(() => (window as unknown as { seenSave: string[] }).seenSave);
    expect(seen[0]).toMatch(/^running\|xl save is writing db01's memory to \/\S+$/);
    expect(seen[seen.length - 1]).toBe('ok|');
    await expect(row(other, 'domain:unpause').getAttribute('data-state')).resolves.toBe('ok');
    await other.close();
  });

  it('still lists every task after Xenith restarts on the same data directory', async () => {
    await openTasks(app.page);
    await app.page.locator('[data-channel="domain:save"][data-state="ok"]').waitFor();
    const before = await app.page.$$eval('[data-testid^="task-row-"]', (els) => els.map((e) => `${e.getAttribute('data-channel') ?? ''} ${e.getAttribute('data-state') ?? ''}`));
    expect(before.length).toBeGreaterThanOrEqual(4);
    const stateDir = app.stateDir;
    await app.stop({ keepState: true });
    // The same app, this time in the dark theme (its screenshot shows the log there).
    app = await startWebApp({ stateDir, viewport: { width: 1400, height: 900 }, colorScheme: 'dark' });
    const { page } = app;
    await page.waitForFunction(() => location.hash === '#/');
    await page.evaluate(() => (location.hash = '#/tasks'));
    await page.locator('[data-testid^="task-row-"]').first().waitFor();
    const after = await page.$$eval('[data-testid^="task-row-"]', (els) => els.map((e) => `${e.getAttribute('data-channel') ?? ''} ${e.getAttribute('data-state') ?? ''}`));
    expect(after).toEqual(before);
    const pin = row(page, 'domain:pinVcpu');
    await pin.getByTestId('task-details-toggle').click();
    await expect(page.getByTestId('task-xl').textContent()).resolves.toBe('Invalid cpumap: 0-99');
    await app.shot('tasks-after-restart');
  });
});
