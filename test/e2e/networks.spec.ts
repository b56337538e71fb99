import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebApp, type WebApp } from './support/harness';

describe('the networks view and guest addresses on the demo host', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp({ viewport: { width: 1400, height: 900 } });
    await app.page.getByTestId('domain-row-web01').waitFor();
  });
  afterEach(() => app.expectNoPageErrors());
  afterAll(async () => {
    await app?.stop();
  });

  it('lists every bridge with its kind, uplink and address, and the running guests on it with MAC, IP and rates', async () => {
    const { page } = app;
    await page.getByTestId('nav-networks').click();
    await page.getByTestId('networks-view').waitFor();
    await page.getByTestId('net-bridge-xenbr0').waitFor();
    await expect(page.getByTestId('net-kind-xenbr0').textContent()).resolves.toBe('bridged');
    await expect(page.getByTestId('net-kind-xenbr1').textContent()).resolves.toBe('isolated');
    await expect(page.getByTestId('net-uplink-xenbr0').textContent()).resolves.toBe('eth0');
    await expect(page.getByTestId('net-uplink-xenbr1').textContent()).resolves.toBe('none');
    await expect(page.getByTestId('net-addrs-xenbr0').textContent()).resolves.toContain('192.168.1.10/24');
    const web = page.getByTestId('net-guests-xenbr0').locator('tr', { hasText: 'web01' });
    await expect(web.textContent()).resolves.toMatch(/vif\d+\.0web0100:16:3e(:[0-9a-f]{2}){3}192\.168\.1\.\d+ agent/);
    // HVM guests: netback's vif and qemu's tap, both on the bridge; the address is from dom0's neighbour table.
    const win = page.getByTestId('net-guests-xenbr0').locator('tr', { hasText: 'win-desktop' });
    await expect(win.count()).resolves.toBe(2);
    await expect(win.first().textContent()).resolves.toMatch(/neighbour/);
    // Rates come from two reads of the counters, two seconds apart: a number replaces the dash.
    await web.locator('td').nth(6).filter({ hasText: /\/s$/ }).waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('net-rate-xenbr0').textContent()).resolves.toMatch(/\/s in · .*\/s out/);
    await app.shots('networks');
  });

  it('is reached with Ctrl+4 too, and a guest interface leads to its domain', async () => {
    const { page } = app;
    await page.getByTestId('nav-domains').click();
    await page.getByTestId('domains-view').waitFor();
    await page.keyboard.press('Control+4');
    await page.getByTestId('networks-view').waitFor();
    await page.getByTestId('net-guests-xenbr0').locator('tr', { hasText: 'web01' }).getByRole('button', { name: 'web01' }).click();
    await page.getByTestId('nic-table').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#/domains/web01/network');
  });

  it('offers only the host\'s bridges for a new NIC, and a config saved naming another is refused with the field', async () => {
    const { page } = app;
    await page.evaluate(() => (location.hash = '#/domains/test-pvh/network'));
    const bridge = page.getByTestId('nic-bridge');
    await bridge.waitFor();
    await expect(bridge.evaluate((el) => el.tagName)).resolves.toBe('SELECT');
    await expect(bridge.locator('option').allTextContents()).resolves.toEqual(['xenbr0', 'xenbr1']);
    await page.evaluate(() => (location.hash = '#/domains/test-pvh/config'));
    const area = page.getByTestId('config-text');
    await page.waitForFunction(() => (document.querySelector('[data-testid="config-text"]') as HTMLTextAreaElement | null)?.value.includes('bridge=xenbr0'));
    const original = await area.inputValue();
    await area.fill(original.replace('bridge=xenbr0', 'bridge=nosuch0'));
    // Told as it is typed, with the field named, and Save stays off.
    await page.getByTestId('config-problems').waitFor();
    await expect(page.getByTestId('config-problems').textContent()).resolves.toMatch(/vifs\[0\]\.bridge: the host has no bridge "nosuch0" \(it has xenbr0, xenbr1\)/);
    await expect(page.getByTestId('config-save').isDisabled()).resolves.toBe(true);
    await app.shots('config-bridge-refused');
  });

  it('shows running guests\' addresses beneath their names in the list, with the source on hover, and in Overview', async () => {
    const { page } = app;
    await page.getByTestId('nav-domains').click();
    const ip = page.getByTestId('ip-web01');
    await ip.waitFor();
    await expect(ip.textContent()).resolves.toMatch(/^192\.168\.1\.\d+: 192\.168\.1\.\d+ \(reported by the guest agent \(xenstore\): attr\/vif\/0\/ipv4\/0\)$/);
    await expect(ip.getAttribute('title')).resolves.toMatch(/reported by the guest agent \(xenstore\)/);
    await expect(page.getByTestId('ip-win-desktop').getAttribute('title')).resolves.toMatch(/seen in dom0's neighbour table: on xenbr0, reachable/);
    // A stopped domain has no address to show.
    await expect(page.getByTestId('ip-test-pvh').count()).resolves.toBe(0);
    await app.shots('domains-with-ips');
    await page.getByTestId('domain-row-web01').dblclick();
    await page.getByTestId('ov-ips').locator('li').first().waitFor();
    await expect(page.getByTestId('ov-ips').textContent()).resolves.toMatch(/192\.168\.1\.\d+ — reported by the guest agent \(xenstore\) \(attr\/vif\/0\/ipv4\/0\)/);
    await app.shots('overview-ips');
  });
});
