import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';
import { qcow2Head } from '../fixtures/qcow2-head';

const MiB = 1024 * 1024;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');


describe('image upload and download in the browser, on the demo host', () => {
  let app: WebApp;
  const dir = mkdtempSync(join(tmpdir(), 'xenith-e2e-xfer-'));
  const images = (): string => join(app.stateDir, 'root', 'var', 'lib', 'xen', 'images');
  beforeAll(async () => {
    app = await startWebApp({ viewport: { width: 1400, height: 900 } });
    await app.page.getByTestId('nav-storage').click();
    await app.page.getByTestId('pool-list').waitFor();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the upload dialog of the default pool and picks `file`. */
  async function pick(file: string): Promise<void> {
    const { page } = app;
    await page.getByTestId('pool-default').click();
    await page.getByTestId('storage-upload').click();
    await page.getByTestId('upload-file').setInputFiles(file);
  }

  it('uploads a file as a new volume with progress, then downloads the same bytes back', async () => {
    const { page } = app;
    const bytes = randomBytes(64 * MiB);
    const file = join(dir, 'mirror disk (1).img');
    writeFileSync(file, bytes);
    await pick(file);
    // The file's name made valid by the one volume-name rule; a bad one is refused naming the field.
    await expect(page.getByTestId('upload-name').inputValue()).resolves.toBe('mirror_disk__1_.img');
    await page.getByTestId('upload-name').fill('../x');
    await page.getByTestId('upload-problem-name').waitFor();
    await expect(page.getByTestId('upload-confirm').isDisabled()).resolves.toBe(true);
    await page.getByTestId('upload-name').fill('mirror.img');
    await page.getByTestId('upload-confirm').click();
    await page.getByTestId('upload-progress-text').filter({ hasText: / of 64 MiB \(\d+%\) · .*\/s/ }).waitFor({ timeout: 10_000 });
    await app.shot('transfer-upload-progress');
    await page.getByTestId('upload-dialog').waitFor({ state: 'detached', timeout: 30_000 });
    const row = page.getByTestId('volume-mirror.img');
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/mirror\.imgraw64 MiB/);
    expect(sha(readFileSync(join(images(), 'mirror.img')))).toBe(sha(bytes));
    await app.shots('transfer-uploaded');

    await page.getByTestId('volume-download-mirror.img').click();
    const downloaded = page.waitForEvent('download', { timeout: 30_000 });
    await page.getByTestId('download-confirm').click();
    const d = await downloaded;
    expect(d.suggestedFilename()).toBe('mirror.img');
    await page.getByTestId('download-progress').waitFor({ timeout: 10_000 });
    await app.shot('transfer-download-progress');
    await page.getByTestId('download-done').waitFor({ timeout: 30_000 });
    expect(sha(readFileSync((await d.path())!))).toBe(sha(bytes));
    await page.keyboard.press('Escape');
  });

  it('refuses a qcow2 image that names a backing file, and removes what it wrote', async () => {
    const { page } = app;
    const file = join(dir, 'sneaky.qcow2');
    writeFileSync(file, qcow2Head({ size: MiB, backing: '/etc/shadow' }));
    await pick(file);
    await page.getByTestId('upload-confirm').click();
    const err = page.getByTestId('upload-error');
    await err.waitFor({ timeout: 20_000 });
    await expect(err.textContent()).resolves.toMatch(/reads another file \(\/etc\/shadow\); Xenith removed it/);
    await app.shots('transfer-backing-refused');
    expect(existsSync(join(images(), 'sneaky.qcow2'))).toBe(false);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('volume-sneaky.qcow2').count()).resolves.toBe(0);
  });

  it('refuses a name that is taken before sending anything, and a cancelled upload leaves no file', async () => {
    const { page } = app;
    const file = join(dir, 'big.img');
    writeFileSync(file, randomBytes(128 * MiB));
    await pick(file);
    await page.getByTestId('upload-name').fill('db01.img');
    await page.getByTestId('upload-confirm').click();
    await page.getByTestId('upload-error').filter({ hasText: 'already has a volume db01.img' }).waitFor({ timeout: 10_000 });
    await page.getByTestId('upload-name').fill('big.img');
    await page.getByTestId('upload-confirm').click();
    await page.getByTestId('upload-progress').waitFor({ timeout: 10_000 });
    await page.getByTestId('upload-cancel').click();
    await page.getByTestId('upload-error').filter({ hasText: /cancelled/ }).waitFor({ timeout: 20_000 });
    await expect.poll(() => existsSync(join(images(), 'big.img')), { timeout: 5000 }).toBe(false);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('volume-big.img').count()).resolves.toBe(0);
  });
});
