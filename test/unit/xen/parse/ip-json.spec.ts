import { describe, expect, it } from 'vitest';
import { parseIpAddrs, parseIpLinks, parseIpNeigh } from '../../../../src/xen/parse/ip-json';
import { loadFixture } from '../../../fixtures/load';
import { parseError } from './helpers';

// Captured on the Xen 4.17 test host (Debian bookworm, iproute2 6.1) with the busybox PV guest "nettest" running
// (vif=[ "mac=00:16:3e:4e:7a:01,bridge=xenbr0" ]), eth0 enslaved to xenbr0 by ifupdown.
describe('parseIpLinks on real captures', () => {
  it('reads every link of an idle dom0: lo, eth0 as a port of xenbr0, the bridge itself', () => {
    const f = loadFixture('ip-j-s-d-link-show.txt');
    expect(f.command).toBe('ip -j -s -d link show');
    const links = parseIpLinks(f.text);
    expect(links.map((l) => [l.name, l.kind, l.master])).toEqual([
      ['lo', null, null],
      ['eth0', null, 'xenbr0'],
      ['xenbr0', 'bridge', null],
    ]);
    expect(links[1]).toMatchObject({ ifindex: 2, mtu: 1500, state: 'UP', mac: '52:54:00:12:34:56', parent: null, vlanId: null });
    expect(links[1]?.flags).toEqual(['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
    expect(links[1]?.rxBytes).toBe(31184);
    expect(links[1]?.txBytes).toBe(39737);
  });

  it('reads the guest vif, a port of xenbr0 with no link kind, and its counters growing between two reads', () => {
    const a = parseIpLinks(loadFixture('ip-j-s-d-link-show-guest.txt').text);
    const b = parseIpLinks(loadFixture('ip-j-s-d-link-show-guest-later.txt').text);
    const vif = a.find((l) => l.name === 'vif1.0');
    expect(vif).toMatchObject({ ifindex: 4, master: 'xenbr0', kind: null, mac: 'fe:ff:ff:ff:ff:ff', mtu: 1500, state: 'UP', rxBytes: 580, txBytes: 836 });
    expect(b.find((l) => l.name === 'vif1.0')?.txBytes).toBe(906);
    expect(b.find((l) => l.name === 'xenbr0')!.rxBytes!).toBeGreaterThan(a.find((l) => l.name === 'xenbr0')!.rxBytes!);
  });

  it('reads a VLAN and a bond by their link kind (iproute2 JSON shape)', () => {
    const text = JSON.stringify([
      { ifindex: 7, ifname: 'eth1.20', flags: ['UP'], mtu: 1500, master: 'xenbr20', operstate: 'UP', link: 'eth1', address: '52:54:00:00:00:07', linkinfo: { info_kind: 'vlan', info_data: { protocol: '802.1Q', id: 20, flags: ['REORDER_HDR'] } } },
      { ifindex: 8, ifname: 'bond0', flags: ['MASTER', 'UP'], mtu: 9000, master: 'xenbr1', operstate: 'UP', address: '52:54:00:00:00:08', linkinfo: { info_kind: 'bond', info_data: { mode: 'active-backup' } } },
    ]);
    const [vlan, bond] = parseIpLinks(text);
    expect(vlan).toMatchObject({ name: 'eth1.20', kind: 'vlan', vlanId: 20, parent: 'eth1', rxBytes: null });
    expect(bond).toMatchObject({ name: 'bond0', kind: 'bond', vlanId: null, mtu: 9000 });
  });

  it('refuses malformed and truncated output naming the line, and an entry without a name', () => {
    const f = loadFixture('ip-j-s-d-link-show.txt');
    expect(parseError(() => parseIpLinks(f.text.slice(0, 900))).message).toMatch(/^ip link: line 1: invalid JSON/);
    expect(parseError(() => parseIpLinks('{"ifindex":1}')).message).toMatch(/expected a JSON array/);
    expect(parseError(() => parseIpLinks('[\n{"ifindex":1,"ifname":"lo"},\n{"ifindex":2}\n]')).message).toMatch(/^ip link: line 3: entry 1: ifname/);
    expect(parseError(() => parseIpLinks('[{"ifindex":-1,"ifname":"x"}]')).message).toMatch(/ifindex/);
  });
});

describe('parseIpAddrs on a real capture', () => {
  it("reads dom0's addresses: the bridge holds the LAN address, the vif only its link-local one", () => {
    const f = loadFixture('ip-j-addr-show.txt');
    expect(f.command).toBe('ip -j addr show');
    const addrs = parseIpAddrs(f.text);
    expect(addrs.filter((a) => a.ifname === 'xenbr0')).toEqual([
      { ifname: 'xenbr0', family: 'ipv4', address: '10.0.2.15', prefixLen: 24, scope: 'global' },
      { ifname: 'xenbr0', family: 'ipv6', address: 'fec0::24c2:5ff:fe29:4563', prefixLen: 64, scope: 'site' },
      { ifname: 'xenbr0', family: 'ipv6', address: 'fe80::24c2:5ff:fe29:4563', prefixLen: 64, scope: 'link' },
    ]);
    expect(addrs.filter((a) => a.ifname === 'vif1.0').map((a) => a.scope)).toEqual(['link']);
    expect(addrs.find((a) => a.ifname === 'lo')).toMatchObject({ address: '127.0.0.1', prefixLen: 8, scope: 'host' });
  });
});

describe('parseIpNeigh on a real capture', () => {
  it("reads dom0's neighbour table: addresses, devices, MACs and states", () => {
    const f = loadFixture('ip-j-neigh-show.txt');
    expect(f.command).toBe('ip -j neigh show');
    expect(parseIpNeigh(f.text)).toEqual([
      { address: '10.0.2.2', family: 'ipv4', dev: 'xenbr0', mac: '52:55:0a:00:02:02', state: ['REACHABLE'] },
      { address: 'fe80::2', family: 'ipv6', dev: 'xenbr0', mac: '52:56:00:00:00:02', state: ['STALE'] },
      { address: 'fe80::2', family: 'ipv6', dev: 'eth0', mac: '52:56:00:00:00:02', state: ['STALE'] },
    ]);
  });

  it('reads an unresolved entry without a MAC, and an empty table printed as nothing at all', () => {
    expect(parseIpNeigh('[{"dst":"10.0.2.9","dev":"xenbr0","state":["FAILED"]}]\n')).toEqual([{ address: '10.0.2.9', family: 'ipv4', dev: 'xenbr0', mac: null, state: ['FAILED'] }]);
    expect(parseIpNeigh('')).toEqual([]);
    expect(parseIpNeigh('[]\n')).toEqual([]);
  });
});
