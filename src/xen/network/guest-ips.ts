import type { GuestIp } from '../../shared/network';
import { normaliseMac } from '../../shared/vif-spec';
import type { XenstoreEntries } from '../parse/xenstore';
import type { IpNeighbour } from '../parse/ip-json';

/** What xenstore says about running domains' network interfaces (from one `xenstore-ls -f /local/domain`). */
export interface VifFacts {
  /** Domain names by domid. */
  names: Map<number, string>;
  /** Each vif's MAC (the backend's record, else the frontend's), by "domid/devid". */
  macs: Map<string, string>;
  /** Each vif's bridge as the backend recorded it, by "domid/devid". */
  bridges: Map<string, string>;
  /** Addresses the guest's agent wrote under attr/, by "domid/devid". */
  agentIps: Map<string, { address: string; family: 'ipv4' | 'ipv6'; key: string }[]>;
}

const NAME = /^\/local\/domain\/(\d+)\/name$/;
const BACKEND = /^\/local\/domain\/0\/backend\/vif\/(\d+)\/(\d+)\/(mac|bridge)$/;
const FRONTEND_MAC = /^\/local\/domain\/(\d+)\/device\/vif\/(\d+)\/mac$/;
// Current agents (xe-guest-utilities, xen-guest-agent): attr/vif/N/ipv4/I and attr/vif/N/ipv6/I.
const ATTR_VIF = /^\/local\/domain\/(\d+)\/(attr\/vif\/(\d+)\/(ipv4|ipv6)\/\d+)$/;
// Older agents: attr/ethN/ip and attr/ethN/ipv6/I/addr, ethN being the guest's Nth NIC.
const ATTR_ETH = /^\/local\/domain\/(\d+)\/(attr\/eth(\d+)\/(ip|ipv6\/\d+\/addr))$/;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;

/** The address a guest wrote, when it is one (a guest writes what it likes under its own attr/). */
function agentAddress(v: string | null | undefined, family: 'ipv4' | 'ipv6'): string | null {
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (family === 'ipv4') return IPV4.test(s) ? s : null;
  return IPV6.test(s) && s.includes(':') ? s.toLowerCase() : null;
}

function addAgentIp(out: VifFacts, key: string, address: string | null, family: 'ipv4' | 'ipv6', path: string): void {
  if (address === null) return;
  const list = out.agentIps.get(key) ?? [];
  if (!list.some((x) => x.address === address)) list.push({ address, family, key: path });
  out.agentIps.set(key, list);
}

/** Reads names, vif MACs and bridges and the agent's addresses out of `xenstore-ls -f /local/domain`. */
export function vifFactsFrom(entries: XenstoreEntries): VifFacts {
  const out: VifFacts = { names: new Map(), macs: new Map(), bridges: new Map(), agentIps: new Map() };
  const frontMacs = new Map<string, string>();
  for (const [path, value] of entries) {
    if (value === null) continue;
    let m: RegExpExecArray | null;
    if ((m = NAME.exec(path)) !== null) out.names.set(Number(m[1]), value);
    else if ((m = BACKEND.exec(path)) !== null) {
      const key = `${m[1]}/${m[2]}`;
      if (m[3] === 'mac') {
        const mac = normaliseMac(value);
        if (mac !== null) out.macs.set(key, mac);
      } else out.bridges.set(key, value);
    } else if ((m = FRONTEND_MAC.exec(path)) !== null) {
      const mac = normaliseMac(value);
      if (mac !== null) frontMacs.set(`${m[1]}/${m[2]}`, mac);
    } else if ((m = ATTR_VIF.exec(path)) !== null) {
      const family = m[4] as 'ipv4' | 'ipv6';
      addAgentIp(out, `${m[1]}/${m[3]}`, agentAddress(value, family), family, m[2]!);
    } else if ((m = ATTR_ETH.exec(path)) !== null) {
      const family = m[4] === 'ip' ? 'ipv4' : 'ipv6';
      addAgentIp(out, `${m[1]}/${m[3]}`, agentAddress(value, family), family, m[2]!);
    }
  }
  // The backend's MAC is dom0's own record; the frontend's (the guest may rewrite it) only fills a gap.
  for (const [k, mac] of frontMacs) if (!out.macs.has(k)) out.macs.set(k, mac);
  return out;
}

/** Link-local addresses say nothing a person can reach the guest at: left out. */
const isLinkLocal = (a: string): boolean => /^fe[89ab][0-9a-f]:/i.test(a) || a.startsWith('169.254.');

/** States of a neighbour entry whose MAC is still believed. */
const USABLE = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP']);

/**
 * One source of guest addresses: given what was read this refresh, the addresses it knows by "domid/devid".
 * The sources are listed once (ADDRESS_SOURCES); dnsmasq leases for NAT and isolated networks join as a third.
 */
export type AddressSource = (facts: VifFacts, neighbours: readonly IpNeighbour[]) => Map<string, GuestIp[]>;

/** What the guest's agent wrote in xenstore. */
const fromXenstore: AddressSource = (facts) => {
  const out = new Map<string, GuestIp[]>();
  for (const [key, ips] of facts.agentIps) {
    const mac = facts.macs.get(key);
    if (mac === undefined) continue;
    out.set(key, ips.filter((ip) => !isLinkLocal(ip.address)).map((ip) => ({ address: ip.address, family: ip.family, source: 'xenstore', mac, detail: ip.key })));
  }
  return out;
};

/** dom0's neighbour table, matched by the guest's MAC. */
const fromNeighbours: AddressSource = (facts, neighbours) => {
  const byMac = new Map<string, IpNeighbour[]>();
  for (const n of neighbours) {
    if (n.mac === null || isLinkLocal(n.address) || !n.state.some((s) => USABLE.has(s))) continue;
    byMac.set(n.mac, [...(byMac.get(n.mac) ?? []), n]);
  }
  const out = new Map<string, GuestIp[]>();
  for (const [key, mac] of facts.macs) {
    const found = byMac.get(mac);
    if (found === undefined) continue;
    out.set(key, found.map((n) => ({ address: n.address, family: n.family, source: 'neighbour', mac, detail: `on ${n.dev}, ${n.state.join(' ').toLowerCase()}` })));
  }
  return out;
};

/** Every source, in the order their addresses are shown: what the guest says first. */
export const ADDRESS_SOURCES: readonly AddressSource[] = [fromXenstore, fromNeighbours];

/** Each vif's addresses ("domid/devid") from every source; an address two sources know is shown once, first source's. */
export function guestIps(facts: VifFacts, neighbours: readonly IpNeighbour[], sources: readonly AddressSource[] = ADDRESS_SOURCES): Map<string, GuestIp[]> {
  const out = new Map<string, GuestIp[]>();
  for (const source of sources) {
    for (const [key, ips] of source(facts, neighbours)) {
      const list = out.get(key) ?? [];
      for (const ip of ips) if (!list.some((x) => x.address === ip.address)) list.push(ip);
      out.set(key, list);
    }
  }
  return out;
}
