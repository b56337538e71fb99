import { afterEach, describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { parseIpLinks } from '../../../../src/xen/parse/ip-json';
import { ratesBetween } from '../../../../src/shared/network';
import { fakeClock, SimFixture } from '../sim/helpers';

const fx = new SimFixture();
afterEach(() => fx.cleanup());

// The networks view and the guests' addresses, through the app's own API, on the demo host.
describe('networks on the demo host', () => {
  it('lists xenbr0 bridged through eth0 with dom0 address, xenbr1 isolated, and each running guest vif', async () => {
    const api = createXenApi(fx.runner());
    const v = await api.networks();
    expect(v.bridges.map((b) => [b.name, b.kind])).toEqual([
      ['xenbr0', 'bridged'],
      ['xenbr1', 'isolated'],
    ]);
    const br0 = v.bridges[0]!;
    expect(br0.ports).toEqual([{ name: 'eth0', kind: 'physical', linkKind: null, vlanId: null, parent: null, state: 'UP' }]);
    expect(br0.addresses).toContainEqual({ family: 'ipv4', address: '192.168.1.10', prefixLen: 24, scope: 'global' });
    expect(br0.mtu).toBe(1500);
    const web = br0.guests.find((g) => g.domain === 'web01');
    expect(web).toMatchObject({ emulated: false, devid: 0, state: 'UP' });
    expect(web?.name).toBe(`vif${web?.domid}.0`);
    expect(web?.mac).toMatch(/^00:16:3e(:[0-9a-f]{2}){3}$/);
    // web01 is a PV guest with an agent: its own report comes first, and the neighbour table agrees.
    expect(web?.ips[0]).toMatchObject({ source: 'xenstore', family: 'ipv4', detail: 'attr/vif/0/ipv4/0' });
    // An HVM guest's NIC shows twice: netback's vif and qemu's tap; no agent, so the address is from the neighbour table.
    const win = br0.guests.filter((g) => g.domain === 'win-desktop');
    expect(win.map((g) => g.emulated)).toEqual([false, true]);
    expect(win[0]?.ips.map((i) => i.source)).toEqual(['neighbour']);
    expect(v.bridges[1]!.ports).toEqual([]);
  });

  it('gives counters that grow with time, so rates between two views are the traffic in between', async () => {
    const clock = fakeClock();
    const api = createXenApi(fx.runner({ clock }));
    const a = await api.networks();
    clock.advance(2000);
    const b = await api.networks();
    const web = b.bridges[0]!.guests.find((g) => g.domain === 'web01')!;
    const r = ratesBetween({ ...a, sampledAt: 0 }, { ...b, sampledAt: 2000 }).get(web.name);
    expect(r?.rxBps).toBeGreaterThan(0);
    expect(r?.txBps).toBeGreaterThan(0);
  });

  it('answers the ip -j commands in iproute2 JSON that the parser reads back', async () => {
    const ex = fx.executor();
    const r = await ex.run('ip', ['-j', '-s', '-d', 'link', 'show']);
    const links = parseIpLinks(r.stdout);
    expect(links.find((l) => l.name === 'eth0')).toMatchObject({ master: 'xenbr0', kind: null, mac: '52:54:00:12:34:56' });
    expect(links.find((l) => l.name === 'xenbr0')?.kind).toBe('bridge');
    expect(r.stdout.endsWith(']\n')).toBe(true);
  });

  it('gives each running domain its addresses in one call, with where each came from', async () => {
    const api = createXenApi(fx.runner());
    const a = await api.domainAddresses();
    const names = a.domains.map((d) => d.name);
    expect(names).toContain('web01');
    expect(names).not.toContain('Domain-0');
    expect(names).not.toContain('test-pvh');
    for (const d of a.domains) for (const ip of d.ips) expect(['xenstore', 'neighbour']).toContain(ip.source);
  });
});
