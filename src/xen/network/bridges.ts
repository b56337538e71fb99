import type { BridgeInfo, GuestInterface, GuestIp, LinkAddress, UplinkPort } from '../../shared/network';
import type { IpAddr, IpLink } from '../parse/ip-json';
import type { VifFacts } from './guest-ips';

/** A guest's interface in dom0: netback's vifD.N, or vifD.N-emu, the tap of its emulated NIC (HVM). */
const VIF_NAME = /^vif(\d+)\.(\d+)(-emu)?$/;

/** The domid, devid and emulated flag a vif's name carries; null for any other interface. */
export function vifOf(name: string): { domid: number; devid: number; emulated: boolean } | null {
  const m = VIF_NAME.exec(name);
  return m === null ? null : { domid: Number(m[1]), devid: Number(m[2]), emulated: m[3] !== undefined };
}

/** What a bridge port that is not a guest's is: a NIC, a bond, a VLAN, or anything else (veth, tap, dummy ...). */
function portOf(l: IpLink): UplinkPort {
  const kind = l.kind === null ? 'physical' : l.kind === 'bond' ? 'bond' : l.kind === 'vlan' ? 'vlan' : 'other';
  return { name: l.name, kind, linkKind: l.kind, vlanId: l.vlanId, parent: l.parent, state: l.state };
}

function addressesOf(addrs: readonly IpAddr[], ifname: string): LinkAddress[] {
  return addrs.filter((a) => a.ifname === ifname).map((a) => ({ family: a.family, address: a.address, prefixLen: a.prefixLen, scope: a.scope }));
}

function guestOf(l: IpLink, v: { domid: number; devid: number; emulated: boolean }, facts: VifFacts, ips: ReadonlyMap<string, GuestIp[]>): GuestInterface {
  const key = `${v.domid}/${v.devid}`;
  return {
    name: l.name,
    ...v,
    domain: facts.names.get(v.domid) ?? null,
    mac: facts.macs.get(key) ?? null,
    state: l.state,
    mtu: l.mtu,
    ips: ips.get(key) ?? [],
    counters: l.rxBytes !== null && l.txBytes !== null ? { rxBytes: l.rxBytes, txBytes: l.txBytes } : null,
  };
}

/**
 * Every bridge from dom0's links and addresses, with its ports: guests' vifs (their domain, MAC and addresses from
 * `facts` and `ips`) and the rest. A bridge with a physical, bond or VLAN port is bridged; any other is isolated.
 */
export function bridgesFrom(links: readonly IpLink[], addrs: readonly IpAddr[], facts: VifFacts, ips: ReadonlyMap<string, GuestIp[]>): BridgeInfo[] {
  return links
    .filter((l) => l.kind === 'bridge')
    .map((b) => {
      const members = links.filter((l) => l.master === b.name);
      const guests: GuestInterface[] = [];
      const ports: UplinkPort[] = [];
      for (const l of members) {
        const v = vifOf(l.name);
        if (v !== null) guests.push(guestOf(l, v, facts, ips));
        else ports.push(portOf(l));
      }
      guests.sort((x, y) => x.domid - y.domid || x.devid - y.devid || Number(x.emulated) - Number(y.emulated));
      return {
        name: b.name,
        kind: ports.some((p) => p.kind !== 'other') ? ('bridged' as const) : ('isolated' as const),
        mac: b.mac,
        mtu: b.mtu,
        state: b.state,
        addresses: addressesOf(addrs, b.name),
        ports,
        guests,
        counters: b.rxBytes !== null && b.txBytes !== null ? { rxBytes: b.rxBytes, txBytes: b.txBytes } : null,
      };
    })
    .sort((x, y) => x.name.localeCompare(y.name));
}
