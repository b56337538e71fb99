import { describe, expect, it } from 'vitest';
import { addressSummary, addressWords, rateBetween, ratesBetween, uplinksOf, type GuestIp, type NetworksView } from '../../../src/shared/network';

const view = (t: number, rx: number, tx: number, vifRx: number): NetworksView => ({
  sampledAt: t,
  bridges: [
    {
      name: 'xenbr0', kind: 'bridged', mac: null, mtu: 1500, state: 'UP', addresses: [], guests: [
        { name: 'vif1.0', domid: 1, devid: 0, emulated: false, domain: 'web', mac: '00:16:3e:00:00:01', state: 'UP', mtu: 1500, ips: [], counters: { rxBytes: vifRx, txBytes: 0 } },
      ],
      ports: [
        { name: 'eth0', kind: 'physical', linkKind: null, vlanId: null, parent: null, state: 'UP' },
        { name: 'veth0', kind: 'other', linkKind: 'veth', vlanId: null, parent: null, state: 'UP' },
      ],
      counters: { rxBytes: rx, txBytes: tx },
    },
  ],
});

describe('rates from counters sampled over time', () => {
  it('is the growth per second between two samples', () => {
    expect(rateBetween(1000, 3000, 2000)).toBe(1000);
    const r = ratesBetween(view(10_000, 0, 500, 100), view(12_000, 4000, 500, 2100));
    expect(r.get('xenbr0')).toEqual({ rxBps: 2000, txBps: 0 });
    expect(r.get('vif1.0')).toEqual({ rxBps: 1000, txBps: 0 });
  });

  it('has none on the first sample, after a counter reset, or without time between', () => {
    expect(ratesBetween(null, view(1, 5, 5, 5)).get('xenbr0')).toEqual({ rxBps: null, txBps: null });
    expect(rateBetween(5000, 10, 1000)).toBeNull();
    expect(rateBetween(1, 2, 0)).toBeNull();
    expect(rateBetween(undefined, 2, 1000)).toBeNull();
  });

  it('counts physical, bond and VLAN ports as uplinks, nothing else', () => {
    expect(uplinksOf(view(0, 0, 0, 0).bridges[0]!).map((p) => p.name)).toEqual(['eth0']);
  });
});

describe('how an address is told', () => {
  const ips: GuestIp[] = [
    { address: 'fd00::5', family: 'ipv6', source: 'xenstore', mac: '00:16:3e:00:00:01', detail: 'attr/vif/0/ipv6/0' },
    { address: '192.168.1.5', family: 'ipv4', source: 'neighbour', mac: '00:16:3e:00:00:01', detail: 'on xenbr0, reachable' },
  ];
  it('says where each came from', () => {
    expect(addressWords(ips[1]!)).toBe("192.168.1.5 (seen in dom0's neighbour table: on xenbr0, reachable)");
    expect(addressWords(ips[0]!)).toBe('fd00::5 (reported by the guest agent (xenstore): attr/vif/0/ipv6/0)');
  });
  it('shows the first IPv4 in a list row and counts the rest', () => {
    expect(addressSummary(ips)).toEqual({ first: '192.168.1.5', more: 1 });
    expect(addressSummary([ips[0]!])).toEqual({ first: 'fd00::5', more: 0 });
    expect(addressSummary([])).toBeNull();
  });
});
