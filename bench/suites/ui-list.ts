import { startWebServerProcess, testToken, type WebServerProcess } from '../../test/e2e/support/web-server';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test/e2e/support/harness';
import type { BenchResult } from '../types';
import { measureQuietly } from '../load';

/** Suite name, as `--only` matches it. */
export const name = 'ui-list';

const DOMAINS = 500;
const MEASURE_MS = 20_000;
/** Let the rings fill and the list settle before measuring. */
const WARMUP_MS = 4_000;

/** One vsync interval at 60 Hz. */
const VSYNC_MS = 1000 / 60;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

/** Starts browser mode on a fresh demo host with `count` domains; resolves with the URL it prints. */
function startServer(stateDir: string, count: number): Promise<WebServerProcess> {
  return startWebServerProcess(['--demo', '--demo-state', stateDir], {
    XENITH_WEB_TOKEN: testToken('b'),
    XENITH_DATA_DIR: join(stateDir, 'data'),
    XENITH_DEMO_DOMAINS: String(count),
  });
}

/** Frames of one measured page, and (for the live list) what it holds after a forced GC. */
interface Frames {
  work: number[];
  deltas: number[];
}

/**
 * The domain list with 500 domains updating every second, in Chromium: frame times from requestAnimationFrame deltas
 * over 20 s while the list scrolls slowly (so rows and their sparklines mount and unmount), and the renderer's heap
 * after a forced GC (CDP Runtime.getHeapUsage: V8 heap plus ArrayBuffer backing stores).
 */
async function liveList(): Promise<Frames & { heapBytes: number; rows: number }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'xenith-bench-ui-'));
  let server: WebServerProcess | null = null;
  let browser: Browser | null = null;
  try {
    server = await startServer(stateDir, DOMAINS);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // The printed address carries the token in its fragment; the page keeps it and moves to #/.
    await page.goto(server.url);
    await page.waitForFunction(() => location.hash === '#/');
    await page.evaluate(() => (location.hash = '#/domains'));
    await page.getByTestId('domain-count').filter({ hasText: `of ${DOMAINS + 1} shown` }).waitFor({ timeout: 60_000 });
    await page.waitForTimeout(WARMUP_MS);
    const frames = await measureFrames(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    // usedSize is the V8 heap; backingStorageSize adds ArrayBuffer stores, where the stats rings live.
    const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
    const rows = await page.locator('[data-testid^="domain-row-"]').count();
    return { ...frames, heapBytes: usage.usedSize + (usage.backingStorageSize ?? 0), rows };
  } finally {
    await browser?.close().catch(() => undefined);
    if (server && server.proc.exitCode === null) {
      const p = server.proc;
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
    }
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The limit: bench/pages/empty-list.tsx (the same virtualiser over as many empty rows) in the same window size. */
async function emptyList(): Promise<Frames> {
  const dir = mkdtempSync(join(tmpdir(), 'xenith-bench-empty-list-'));
  let browser: Browser | null = null;
  try {
    await build({
      entryPoints: [resolve('bench/pages/empty-list.tsx')], outfile: join(dir, 'app.js'), bundle: true, format: 'iife',
      jsx: 'automatic', minify: true, define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'warning',
    });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><body style="margin:0"><div id="root"></div><script src="app.js"></script>');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`${pathToFileURL(join(dir, 'index.html')).href}?rows=${DOMAINS + 1}`);
    await page.locator('[role="row"]').first().waitFor();
    await page.waitForTimeout(1000);
    return await measureFrames(page);
  } finally {
    await browser?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The live list's frames and, measured in the same run, an empty virtualised list's: their ratio at the 95th
 * percentile of frame intervals (1.0: the live list never costs a frame more than scrolling itself does).
 */
export async function run(): Promise<BenchResult[]> {
  const m = await measureQuietly('list', async () => ({ live: await liveList(), empty: await emptyList() }));
  const { live, empty } = m.value;
  const sorted = live.work.slice().sort((a, b) => a - b);
  const liveP95 = percentile(live.deltas.slice().sort((a, b) => a - b), 95);
  const emptyP95 = percentile(empty.deltas.slice().sort((a, b) => a - b), 95);
  const dropped = live.deltas.filter((d) => d > VSYNC_MS * 1.5).length / Math.max(1, live.deltas.length);
  console.error(`ui-list: ${live.deltas.length} frames, ${live.rows} rows mounted, ${(dropped * 100).toFixed(1)}% of intervals over 25 ms, heap ${(live.heapBytes / 1048576).toFixed(1)} MB; frame interval p95 ${liveP95.toFixed(1)} ms live, ${emptyP95.toFixed(1)} ms empty; work p95 ${percentile(sorted, 95).toFixed(1)} ms live, ${percentile(empty.work.slice().sort((a, b) => a - b), 95).toFixed(1)} ms empty`);
  const at = { load: m.load, ...(m.noisy ? { noisy: true } : {}) };
  return [
    { name: `list.frame_median_ms.${DOMAINS}`, value: percentile(sorted, 50), unit: 'ms', ...at },
    { name: `list.frame_p95_ms.${DOMAINS}`, value: percentile(sorted, 95), unit: 'ms', ...at },
    { name: `list.dropped_frames_pct.${DOMAINS}`, value: dropped * 100, unit: '%', ...at },
    { name: `list.empty_frame_interval_p95_ms.${DOMAINS}`, value: emptyP95, unit: 'ms', ...at },
    { name: `list.frame_interval_p95_ms.${DOMAINS}`, value: liveP95, unit: 'ms', ...at },
    { name: `list.frame_p95_ratio.${DOMAINS}`, value: liveP95 / emptyP95, unit: 'x', limit: `list.empty_frame_interval_p95_ms.${DOMAINS}`, ...at },
    { name: `renderer.heap_mb.${DOMAINS}`, value: live.heapBytes / (1024 * 1024), unit: 'MB', ...at },
  ];
}

/**
 * Frame costs over MEASURE_MS while the list scrolls a few rows every 250 ms. Headless Chromium paces
 * requestAnimationFrame at 60 Hz whatever the flags (measured: uncapping only adds jitter), so a raw delta is 16.7 ms
 * on an idle page. A frame's cost is its delta minus the idle time Chrome handed out within it
 * (requestIdleCallback's timeRemaining()): what the main thread spent on tasks, React, style, layout, paint and the
 * sparklines. A frame that overran shows up whole (no idle, a 33 ms delta).
 */
function measureFrames(page: Page): Promise<{ work: number[]; deltas: number[] }> {
    return page.evaluate(async (ms) => {
      const body = document.querySelector<HTMLElement>('[data-testid="domain-grid-body"]');
      const work: number[] = [];
      const deltas: number[] = [];
      let idle = 0;
      let running = true;
      const onIdle = (dl: IdleDeadline) => {
        idle += dl.timeRemaining();
        if (running) requestIdleCallback(onIdle);
      };
      requestIdleCallback(onIdle);
      const end = performance.now() + ms;
      let last = 0;
      let scrollAt = 0;
      await new Promise<void>((resolve) => {
        const step = (now: number) => {
          const delta = now - last;
          deltas.push(delta);
          work.push(Math.max(0, delta - idle));
          idle = 0;
          last = now;
          // A few rows every 250 ms, wrapping: the virtualiser mounts new rows while the stats keep ticking.
          if (body && now - scrollAt > 250) {
            scrollAt = now;
            body.scrollTop = body.scrollTop + 3 * 34 >= body.scrollHeight - body.clientHeight ? 0 : body.scrollTop + 3 * 34;
          }
          if (now < end) requestAnimationFrame(step);
          else {
            running = false;
            resolve();
          }
        };
        requestAnimationFrame((now) => {
          last = now;
          scrollAt = now;
          idle = 0;
          requestAnimationFrame(step);
        });
      });
      return { work, deltas };
    }, MEASURE_MS);
}
