// The Networks view against the real Xen host: src/xen reads the real bridge (xenbr0 holding eth0, set up by ifupdown
// in the test image), a running guest's vif with its MAC, the guest's address from dom0's neighbour table and from
// xenstore, and refuses a NIC or a config naming a bridge the host does not have. Then the app's own view, in
// Chromium, lists the same.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWebApp, type WebApp } from '../e2e/support/harness';
import { closeConnection, describeHost, destroyIfPresent, remote, remoteOk } from './support';
import { appArgsFor, busyboxGuest, xenOver } from './xen-env';

const NAME = 'xenith-net';
const MAC = '00:16:3e:4e:7a:42';
/** On QEMU's user network behind xenbr0 (dom0 has 10.0.2.15 there by DHCP). */
const GUEST_IP = '10.0.2.50';

describeHost('networks on the real Xen host', (h) => {
  const { runner, api } = xenOver(h);
  let domid = -1;
  let app: WebApp | undefined;

  beforeAll(async () => {
    await destroyIfPresent(h, NAME);
    await remote(h, ['rm', '-f', `/etc/xen/${NAME}.cfg`]);
    const { path } = await api.writeConfig(NAME, { ...busyboxGuest(h, NAME, 'pv'), vifs: [{ bridge: h.bridge, mac: MAC }] });
    await api.create(path);
    domid = Number((await remoteOk(h, ['xl', 'domid', NAME])).trim());
  }, 400_000);
  afterAll(async () => {
    await app?.stop();
    await destroyIfPresent(h, NAME);
    await remote(h, ['rm', '-f', `/etc/xen/${NAME}.cfg`]);
    await runner.close();
    await closeConnection(h);
  }, 300_000);

  it('lists the real bridge, bridged through its NIC with dom0\'s address, and the guest\'s vif with its MAC', async () => {
    const v = await api.networks();
    const br = v.bridges.find((b) => b.name === h.bridge);
    expect(br).toMatchObject({ kind: 'bridged', state: 'UP', mtu: 1500 });
    expect(br?.ports.filter((p) => p.kind === 'physical').map((p) => p.name)).toEqual(['eth0']);
    expect(br?.addresses.some((a) => a.family === 'ipv4' && a.scope === 'global')).toBe(true);
    const vif = br?.guests.find((g) => g.name === `vif${domid}.0`);
    expect(vif).toMatchObject({ domid, devid: 0, emulated: false, domain: NAME, mac: MAC });
    expect(vif?.counters?.rxBytes).toBeGreaterThanOrEqual(0);
  }, 120_000);

  it("finds the guest's address in dom0's neighbour table by MAC, and the one an agent writes to xenstore", async () => {
    // The busybox guest has no DHCP client: give it an address on its console and let it talk to dom0.
    const pty = runner.pty('console.open', { dom: NAME }, { cols: 100, rows: 30 });
    let out = '';
    pty.onData((d) => (out += d));
    try {
      const t0 = Date.now();
      while (!/eth0 up/.test(out) && Date.now() - t0 < 180_000) await new Promise((r) => setTimeout(r, 500));
      pty.write('\r');
      pty.write(`ip addr add ${GUEST_IP}/24 dev eth0; ping -c 3 10.0.2.15\r`);
      let ips: string[] = [];
      for (let i = 0; i < 60 && !ips.includes(GUEST_IP); i++) {
        await new Promise((r) => setTimeout(r, 2000));
        const a = await api.domainAddresses();
        ips = a.domains.find((d) => d.name === NAME)?.ips.filter((ip) => ip.source === 'neighbour').map((ip) => ip.address) ?? [];
      }
      expect(ips, out.slice(-1500)).toContain(GUEST_IP);
    } finally {
      pty.write('\x1d');
      pty.kill();
    }
    // The busybox guest runs no agent; dom0 writes the key an agent writes (attr/vif/N/ipv4/I), in the guest's tree.
    await remoteOk(h, ['xenstore-write', `/local/domain/${domid}/attr/vif/0/ipv4/0`, '10.0.2.77']);
    const vif = (await api.networks()).bridges.find((b) => b.name === h.bridge)?.guests.find((g) => g.mac === MAC);
    expect(vif?.ips.map((ip) => [ip.address, ip.source])).toEqual([
      ['10.0.2.77', 'xenstore'],
      [GUEST_IP, 'neighbour'],
    ]);
  }, 400_000);

  it('refuses a NIC and a config naming a bridge the host does not have, with the field, changing nothing', async () => {
    const before = await api.readConfig(NAME);
    await expect(api.attachNic({ name: NAME, nic: { bridge: 'nosuchbr0' }, apply: 'config' })).rejects.toMatchObject({
      code: 'INVALID_ARG',
      detail: { field: 'nic.bridge', bridges: [h.bridge] },
    });
    const text = before.text.replace(`bridge=${h.bridge}`, 'bridge=nosuchbr0');
    expect(text).not.toBe(before.text);
    await expect(api.writeConfig(NAME, text, { expectedText: before.text })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'vifs[0].bridge' } });
    expect((await api.readConfig(NAME)).text).toBe(before.text);
  }, 120_000);

  it("shows the real bridge and the guest's vif with its MAC in the app's Networks view", async () => {
    app = await startWebApp({ args: appArgsFor(h), env: { XENITH_TIMEOUT_SCALE: '6' } });
    const page = app.page;
    await page.getByTestId('status-toolstack').filter({ hasText: 'over SSH' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('nav-networks').click();
    await page.getByTestId(`net-bridge-${h.bridge}`).waitFor({ timeout: 120_000 });
    await expect(page.getByTestId(`net-kind-${h.bridge}`).textContent()).resolves.toBe('bridged');
    await expect(page.getByTestId(`net-uplink-${h.bridge}`).textContent()).resolves.toBe('eth0');
    const row = page.getByTestId(`net-vif-vif${domid}.0`);
    await row.waitFor({ timeout: 60_000 });
    await expect(row.textContent()).resolves.toContain(NAME);
    await expect(row.textContent()).resolves.toContain(MAC);
    // Live rates: the second read, two seconds after the first, turns the dashes into numbers.
    await page.getByTestId(`net-rate-${h.bridge}`).filter({ hasText: /\/s in · .*\/s out/ }).waitFor({ timeout: 60_000 });
    await app.shot('xenhost-networks');
    app.expectNoPageErrors();
  }, 400_000);
});
