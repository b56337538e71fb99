/**
 * The host's networks as the UI sees them: every bridge dom0 has, what it is connected to, its addresses, and the
 * guest interfaces (vifs) on it with their domain, MAC and IP addresses. Plain DTOs (they cross IPC) and pure helpers.
 */

/**
 * What a bridge is, as far as dom0's links tell: `bridged` when a physical NIC, bond or VLAN is one of its ports (guests
 * reach that LAN), `isolated` otherwise (guests reach each other and dom0 only). NAT and routed networks are claimed only
 * once Xenith makes them, from its own definitions, never guessed from links.
 */
export type NetworkKind = 'bridged' | 'isolated';

/** Where a guest's IP address was learnt. `lease` (dnsmasq, for NAT and isolated networks) slots in beside these. */
export type IpSource = 'xenstore' | 'neighbour';

/** Words for each source, shown beside an address. */
export const IP_SOURCE_WORDS: Record<IpSource, string> = {
  xenstore: 'reported by the guest agent (xenstore)',
  neighbour: "seen in dom0's neighbour table",
};

/** One guest address and where it came from. */
export interface GuestIp {
  address: string;
  family: 'ipv4' | 'ipv6';
  source: IpSource;
  /** The guest MAC it belongs to. */
  mac: string;
  /** How it was found, in words ("attr/vif/0/ipv4/0", "on xenbr0, reachable"). */
  detail: string;
}

/** An address on a dom0 interface (`ip -j addr show`). */
export interface LinkAddress {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefixLen: number;
  /** global, link, host. */
  scope: string;
}

/** A bridge port that is not a guest's: what kind of link it is, and the VLAN id and parent for a VLAN. */
export interface UplinkPort {
  name: string;
  kind: 'physical' | 'bond' | 'vlan' | 'other';
  /** The link kind ip reports (veth, tun, dummy ...) for `other`; null for a physical NIC. */
  linkKind: string | null;
  vlanId: number | null;
  parent: string | null;
  state: string;
}

/** Byte counters of one interface at the time of the sample (`ip -s`), for rates computed between samples. */
export interface Counters {
  rxBytes: number;
  txBytes: number;
}

/** A guest's interface on a bridge: the netback vif (vifD.N) or the emulated NIC's tap (vifD.N-emu). */
export interface GuestInterface {
  name: string;
  domid: number;
  devid: number;
  emulated: boolean;
  /** The domain's name (xenstore), null when it is gone between the reads. */
  domain: string | null;
  /** The guest's MAC (the backend's record of it); the vif itself carries fe:ff:ff:ff:ff:ff. */
  mac: string | null;
  state: string;
  mtu: number;
  ips: GuestIp[];
  /** Counters as dom0 sees them: dom0's rx is what the guest sent. */
  counters: Counters | null;
}

/** One bridge on the host. */
export interface BridgeInfo {
  name: string;
  kind: NetworkKind;
  mac: string | null;
  mtu: number;
  /** UP, DOWN, UNKNOWN ... as ip reports operstate. */
  state: string;
  addresses: LinkAddress[];
  /** Ports that are not guests': the uplinks (physical, bond, VLAN) and anything else plugged in. */
  ports: UplinkPort[];
  guests: GuestInterface[];
  counters: Counters | null;
}

/** Every bridge, and when the counters were read (epoch ms). */
export interface NetworksView {
  sampledAt: number;
  bridges: BridgeInfo[];
}

/** Each domain's addresses, by domain name (running domains only: a stopped one has none). */
export interface DomainAddresses {
  domains: { name: string; ips: GuestIp[] }[];
}

/** The uplinks of a bridge: its physical, bond and VLAN ports. */
export function uplinksOf(b: Pick<BridgeInfo, 'ports'>): UplinkPort[] {
  return b.ports.filter((p) => p.kind !== 'other');
}

/** Bytes per second between two samples of one counter; null when it cannot be told (first sample, reset, no time). */
export function rateBetween(prev: number | undefined, next: number | undefined, dtMs: number): number | null {
  if (prev === undefined || next === undefined || dtMs <= 0 || next < prev) return null;
  return ((next - prev) * 1000) / dtMs;
}

/** Receive and send rates of an interface between two views, keyed by interface name. */
export interface Rates {
  rxBps: number | null;
  txBps: number | null;
}

/** Every interface's counters in a view, by name (bridges and guests' interfaces). */
export function countersByName(v: NetworksView): Map<string, Counters> {
  const out = new Map<string, Counters>();
  for (const b of v.bridges) {
    if (b.counters !== null) out.set(b.name, b.counters);
    for (const g of b.guests) if (g.counters !== null) out.set(g.name, g.counters);
  }
  return out;
}

/** Rates of every interface from the previous view to the next; an interface new in `next` has none yet. */
export function ratesBetween(prev: NetworksView | null, next: NetworksView): Map<string, Rates> {
  const out = new Map<string, Rates>();
  const before = prev === null ? new Map<string, Counters>() : countersByName(prev);
  const dt = prev === null ? 0 : next.sampledAt - prev.sampledAt;
  for (const [name, c] of countersByName(next)) {
    const p = before.get(name);
    out.set(name, { rxBps: rateBetween(p?.rxBytes, c.rxBytes, dt), txBps: rateBetween(p?.txBytes, c.txBytes, dt) });
  }
  return out;
}

/** One address and where it came from, in words: "192.168.1.5 (reported by the guest agent (xenstore): attr/vif/0/ipv4/0)". */
export function addressWords(ip: GuestIp): string {
  return `${ip.address} (${IP_SOURCE_WORDS[ip.source]}: ${ip.detail})`;
}

/** What a list row shows for a domain's addresses: the first IPv4 (else the first), and how many more. */
export function addressSummary(ips: readonly GuestIp[]): { first: string; more: number } | null {
  const first = ips.find((i) => i.family === 'ipv4') ?? ips[0];
  return first === undefined ? null : { first: first.address, more: ips.length - 1 };
}
