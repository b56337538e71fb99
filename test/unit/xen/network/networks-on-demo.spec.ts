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

describe('NICs join a bridge that exists, with a MAC no other domain has (server side)', () => {
  it('refuses a NIC on a bridge the host lacks, and another domain\'s MAC, naming the field; nothing changes', async () => {
    const api = createXenApi(fx.runner());
    const webMac = (await api.readConfig('web01')).config!.vifs[0]!.mac!;
    const before = (await api.readConfig('test-pvh')).text;
    await expect(api.attachNic({ name: 'test-pvh', nic: { bridge: 'xenbr9' }, apply: 'config' })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'nic.bridge', bridges: ['xenbr0', 'xenbr1'] } });
    await expect(api.attachNic({ name: 'test-pvh', nic: { bridge: 'xenbr0', mac: webMac.toUpperCase() }, apply: 'config' })).rejects.toMatchObject({ code: 'EXISTS', detail: { field: 'nic.mac', domain: 'web01' } });
    expect((await api.readConfig('test-pvh')).text).toBe(before);
    await api.attachNic({ name: 'test-pvh', nic: { bridge: 'xenbr1', mac: '00:16:3e:0f:0f:0f' }, apply: 'config' });
    expect((await api.readConfig('test-pvh')).config!.vifs.map((v) => v.bridge)).toEqual(['xenbr0', 'xenbr1']);
  });

  it('refuses a config saved with a bridge the host lacks, naming vifs[N].bridge', async () => {
    const api = createXenApi(fx.runner());
    const v = await api.readConfig('test-pvh');
    const text = v.text.replace(/bridge=xenbr0/, 'bridge=nosuch0');
    await expect(api.writeConfig('test-pvh', text, { expectedText: v.text })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'vifs[0].bridge' } });
    expect((await api.readConfig('test-pvh')).text).toBe(v.text);
  });

  it('tells config text\'s NIC problems before a save: a missing bridge and a taken MAC, each with its field', async () => {
    const api = createXenApi(fx.runner());
    const webMac = (await api.readConfig('web01')).config!.vifs[0]!.mac!;
    const v = await api.readConfig('test-pvh');
    const text = v.text.replace(/mac=[0-9a-f:]+,bridge=xenbr0/, `mac=${webMac},bridge=nosuch0`);
    await expect(api.configNicProblems('test-pvh', text)).resolves.toEqual([
      { field: 'vifs[0].bridge', message: 'vifs[0].bridge: the host has no bridge "nosuch0" (it has xenbr0, xenbr1)' },
      { field: 'vifs[0].mac', message: `vifs[0].mac: MAC ${webMac} is already used by domain web01` },
    ]);
    await expect(api.configNicProblems('test-pvh', v.text)).resolves.toEqual([]);
    await expect(api.configNicProblems('test-pvh', 'memory = [\n')).resolves.toEqual([]);
  });
});
