import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';

/** Number attribute of a chart figure (LiveChart's data-points / data-first). */
async function chartAttr(page: Page, testId: string, attr: 'data-points' | 'data-first'): Promise<number> {
  return Number(await page.getByTestId(testId).getAttribute(attr));
}

/** Moves the app to `route` as a link would (the page keeps its token). */
async function go(page: Page, route: string): Promise<void> {
  await page.evaluate((r) => {
    location.hash = `#${r}`;
  }, route);
}

// Main keeps the graphs' history on disk (src/main/history); a new server on the same state shows it at once.
describe('graph history that survives a restart, on the demo host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xenith-e2e-history-'));
  let app: WebApp | undefined;
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the seconds and minutes from before the restart in a domain\'s and the host\'s graphs', async () => {
    app = await startWebApp({ stateDir: dir, viewport: { width: 1400, height: 900 } });
    await app.page.getByTestId('domain-row-web01').waitFor({ timeout: 30_000 });
    await go(app.page, '/domains/web01/performance');
    await app.page.waitForFunction(() => Number(document.querySelector('[data-testid="chart-cpu"]')?.getAttribute('data-points')) >= 6, null, { timeout: 30_000 });
    app.expectNoPageErrors();
    const stoppedAt = Date.now();
    await app.stop({ keepState: true });

    app = await startWebApp({ stateDir: dir, viewport: { width: 1400, height: 900 } });
    const page = app.page;
    await page.getByTestId('domain-row-web01').waitFor({ timeout: 30_000 });
    await go(page, '/domains/web01/performance');
    // The page is new and so is the server: points older than the restart can only come from the store.
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid="chart-cpu"]')?.getAttribute('data-first')) < t - 4000, stoppedAt, { timeout: 15_000 });
    expect(await chartAttr(page, 'chart-cpu', 'data-points')).toBeGreaterThanOrEqual(6);
    expect(await chartAttr(page, 'chart-net', 'data-first')).toBeLessThan(stoppedAt - 4000);
    await app.shots('history-after-restart');

    // The hour window: stored minutes (none finished yet on a fresh host) plus the seconds, still from before the stop.
    await page.getByTestId('perf-window').selectOption('1h');
    await page.getByText('Older than 10 minutes: one-minute averages.').waitFor();
    expect(await chartAttr(page, 'chart-cpu', 'data-first')).toBeLessThan(stoppedAt - 4000);
    // A year: hour averages from main, then the present.
    await page.getByTestId('perf-window').selectOption('1y');
    await page.getByText(/One point per hour/).waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="chart-cpu"]')?.getAttribute('data-points')) > 0, null, { timeout: 15_000 });

    await go(page, '/host');
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid="host-chart-cpu"]')?.getAttribute('data-first')) < t - 4000, stoppedAt, { timeout: 15_000 });
    app.expectNoPageErrors();
  }, 150_000);
});
