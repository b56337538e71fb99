import { describe, expect, it } from 'vitest';
import { bridgesFrom, vifOf } from '../../../../src/xen/network/bridges';
import { guestIps, vifFactsFrom } from '../../../../src/xen/network/guest-ips';
import { parseIpAddrs, parseIpLinks, parseIpNeigh, type IpNeighbour } from '../../../../src/xen/parse/ip-json';
import { parseXenstoreLs } from '../../../../src/xen/parse/xenstore';
import { loadFixture } from '../../../fixtures/load';

// The real test host with guest "nettest" (domid 1) on xenbr0. Its attr/vif/0 addresses were written in dom0 with
// xenstore-write, standing in for a guest agent (the busybox guest runs none); the paths are the ones agents use.
const facts = () => vifFactsFrom(parseXenstoreLs(loadFixture('xenstore-ls-f-local-domain-guest.txt').text));
const neigh = (dst: string, mac: string, state = ['REACHABLE'], dev = 'xenbr0'): IpNeighbour => ({ address: dst, family: dst.includes(':') ? 'ipv6' : 'ipv4', dev, mac, state });

describe('what xenstore says about running guests', () => {
  it('reads names, the backend MAC and bridge, and the agent addresses of the captured guest', () => {
    const f = facts();
    expect(f.names.get(0)).toBe('Domain-0');
    expect(f.names.get(1)).toBe('nettest');
    expect(f.macs.get('1/0')).toBe('00:16:3e:4e:7a:01');
    expect(f.bridges.get('1/0')).toBe('xenbr0');
    expect(f.agentIps.get('1/0')).toEqual([
      { address: '10.0.2.50', family: 'ipv4', key: 'attr/vif/0/ipv4/0' },
      { address: 'fd00::50', family: 'ipv6', key: 'attr/vif/0/ipv6/0' },
    ]);
  });

  it('reads the older agents\' attr/ethN keys, and ignores what a guest writes that is no address', () => {
    const f = vifFactsFrom(
      new Map([
        ['/local/domain/4/name', 'old'],
        ['/local/domain/0/backend/vif/4/0/mac', '00:16:3E:00:00:04'],
        ['/local/domain/4/attr/eth0/ip', '192.168.1.44'],
        ['/local/domain/4/attr/eth0/ipv6/0/addr', '2001:db8::44'],
        ['/local/domain/4/attr/vif/0/ipv4/1', '$(reboot)'],
        ['/local/domain/4/attr/vif/0/ipv4/2', '300.1.1.1'],
      ]),
    );
    expect(f.macs.get('4/0')).toBe('00:16:3e:00:00:04');
    expect(f.agentIps.get('4/0')?.map((i) => i.address)).toEqual(['192.168.1.44', '2001:db8::44']);
  });
});

describe('guest addresses from every source', () => {
  it('puts the agent first, adds the neighbour table by MAC, shows an address both know once, leaves link-local out', () => {
    const ips = guestIps(facts(), [
      neigh('10.0.2.50', '00:16:3e:4e:7a:01'),
      neigh('10.0.2.51', '00:16:3e:4e:7a:01', ['STALE']),
      neigh('fe80::216:3eff:fe4e:7a01', '00:16:3e:4e:7a:01'),
      neigh('10.0.2.52', '00:16:3e:4e:7a:01', ['FAILED']),
      ...parseIpNeigh(loadFixture('ip-j-neigh-show.txt').text),
    ]);
    expect(ips.get('1/0')).toEqual([
      { address: '10.0.2.50', family: 'ipv4', source: 'xenstore', mac: '00:16:3e:4e:7a:01', detail: 'attr/vif/0/ipv4/0' },
      { address: 'fd00::50', family: 'ipv6', source: 'xenstore', mac: '00:16:3e:4e:7a:01', detail: 'attr/vif/0/ipv6/0' },
      { address: '10.0.2.51', family: 'ipv4', source: 'neighbour', mac: '00:16:3e:4e:7a:01', detail: 'on xenbr0, stale' },
    ]);
    // The gateway in the real table is nobody's guest.
    expect([...ips.values()].flat().some((i) => i.address === '10.0.2.2')).toBe(false);
  });

  it('takes a third source in beside the others (dnsmasq leases will be one)', () => {
    const lease = () => new Map([['1/0', [{ address: '192.168.100.7', family: 'ipv4' as const, source: 'xenstore' as const, mac: '00:16:3e:4e:7a:01', detail: 'lease' }]]]);
    expect(guestIps(facts(), [], [lease]).get('1/0')?.map((i) => i.address)).toEqual(['192.168.100.7']);
  });
});

describe('bridges from the real links', () => {
  it('lists xenbr0 as bridged through eth0 with its addresses, and the guest vif with domain, MAC, IPs and counters', () => {
    const links = parseIpLinks(loadFixture('ip-j-s-d-link-show-guest.txt').text);
    const addrs = parseIpAddrs(loadFixture('ip-j-addr-show.txt').text);
    const f = facts();
    const [br] = bridgesFrom(links, addrs, f, guestIps(f, []));
    expect(br).toMatchObject({ name: 'xenbr0', kind: 'bridged', mtu: 1500, state: 'UP', mac: '26:c2:05:29:45:63', counters: { rxBytes: 71640, txBytes: 111267 } });
    expect(br?.ports).toEqual([{ name: 'eth0', kind: 'physical', linkKind: null, vlanId: null, parent: null, state: 'UP' }]);
    expect(br?.addresses[0]).toEqual({ family: 'ipv4', address: '10.0.2.15', prefixLen: 24, scope: 'global' });
    expect(br?.guests).toEqual([
      {
        name: 'vif1.0', domid: 1, devid: 0, emulated: false, domain: 'nettest', mac: '00:16:3e:4e:7a:01', state: 'UP', mtu: 1500,
        ips: guestIps(f, []).get('1/0'),
        counters: { rxBytes: 580, txBytes: 836 },
      },
    ]);
  });

  it('calls a bridge with only guests (or a veth) isolated, and one with a VLAN or bond bridged', () => {
    const link = (name: string, o: Partial<ReturnType<typeof parseIpLinks>[number]> = {}) => ({ ifindex: 1, name, mtu: 1500, state: 'UP', flags: [], mac: null, master: null, parent: null, kind: null, vlanId: null, rxBytes: null, txBytes: null, ...o });
    const links = [
      link('br-lab', { kind: 'bridge' }),
      link('vif3.0-emu', { master: 'br-lab', kind: 'tun' }),
      link('veth0', { master: 'br-lab', kind: 'veth' }),
      link('br-vlan', { kind: 'bridge' }),
      link('eth1.20', { master: 'br-vlan', kind: 'vlan', vlanId: 20, parent: 'eth1' }),
    ];
    const f = vifFactsFrom(new Map());
    const [lab, vlan] = bridgesFrom(links, [], f, new Map());
    expect(lab).toMatchObject({ name: 'br-lab', kind: 'isolated' });
    expect(lab?.guests.map((g) => [g.name, g.emulated, g.domain])).toEqual([['vif3.0-emu', true, null]]);
    expect(lab?.ports.map((p) => [p.name, p.kind, p.linkKind])).toEqual([['veth0', 'other', 'veth']]);
    expect(vlan).toMatchObject({ name: 'br-vlan', kind: 'bridged' });
    expect(vlan?.ports[0]).toMatchObject({ kind: 'vlan', vlanId: 20, parent: 'eth1' });
  });

  it('knows a vif by its name only', () => {
    expect(vifOf('vif12.3')).toEqual({ domid: 12, devid: 3, emulated: false });
    expect(vifOf('vif12.3-emu')).toEqual({ domid: 12, devid: 3, emulated: true });
    for (const n of ['vif', 'vif1', 'vif1.x', 'xvif1.0', 'vif1.0-emux', 'eth0']) expect(vifOf(n), n).toBeNull();
  });
});
