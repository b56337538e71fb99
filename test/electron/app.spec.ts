import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';

/** Finds Electron's binary without loading the electron package (which would try to download it). */
function electronBinary(): string | null {
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  if (override) return existsSync(join(override, 'electron')) ? join(override, 'electron') : null;
  const pathFile = join('node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join('node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

const bin = electronBinary();
if (!bin) {
  console.log("SKIPPED real-Electron tests: Electron's binary is not installed on this machine (it cannot be downloaded here). These tests are not counted as passed.");
}

describe.skipIf(!bin)('the real Electron app', () => {
  it('opens a sandboxed, isolated window on the demo host with window.xen and no Node', async () => {
    const app = await electron.launch({ executablePath: bin ?? '', args: ['.', '--demo'], env: { ...process.env, XENITH_DEMO_STATE: join('test-results', 'electron-demo') } });
    try {
      const win = await app.firstWindow();
      await win.getByTestId('title-host').filter({ hasText: 'Xen' }).waitFor({ timeout: 30_000 });
      const facts = await win.evaluate(() => ({
        xen: typeof (window as unknown as { xen?: unknown }).xen,
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
        origin: location.origin,
      }));
      expect(facts).toEqual({ xen: 'object', require: 'undefined', process: 'undefined', origin: 'app://xenith' });
      await win.evaluate(() => window.open('https://example.com/'));
      expect(app.windows()).toHaveLength(1);
      await win.screenshot({ path: 'test-results/electron-main-window.png' });
    } finally {
      await app.close();
    }
  });
});
