import type { SimHost } from './host';
import type { SimDomain, SimNic } from './model';

/**
 * The demo host's network, answered in `ip -j`'s own JSON (iproute2 6.1, as on the bookworm test host): dom0's NIC
 * eth0 is a port of xenbr0, which holds dom0's LAN address (bridged); xenbr1 has no uplink and no address (isolated).
 * Each running domain's NIC is a vifD.N port of its bridge, plus vifD.N-emu (qemu's tap) for an HVM guest. PV and PVH
 * guests run an agent that writes their addresses to xenstore; every guest on the LAN is in dom0's neighbour table.
 */

/** dom0's side of the demo LAN. */
const LAN = { prefix: '192.168.1', dom0: '192.168.1.10', gateway: '192.168.1.1', gatewayMac: '00:0d:b9:4a:11:01', dom0v6: 'fe80::c457:65ff:fe94:b7be' };
/** The isolated bridge's guests use a private subnet dom0 has no address in. */
const ISOLATED_PREFIX = '10.10.0';
const UPLINKED = new Set(['xenbr0']);

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}

/** A guest NIC's IPv4 address, fixed by its MAC: on the LAN behind xenbr0, or on the isolated bridge's subnet. */
export function simGuestIp(nic: SimNic): string {
  const host = 100 + (hash(nic.mac) % 150);
  return `${UPLINKED.has(nic.bridge) ? LAN.prefix : ISOLATED_PREFIX}.${host}`;
}

/** True when the guest runs an agent that reports its addresses (the demo's Linux PV and PVH guests). */
export function simHasAgent(d: SimDomain): boolean {
  return d.config.type !== 'hvm';
}

/** Domains with interfaces in dom0 now: not between a reboot's teardown and rebuild. */
const live = (host: SimHost): SimDomain[] => host.state.domains.filter((d) => d.phase !== 'rebuilding').sort((a, b) => a.domid - b.domid);

interface SimLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  qdisc: string;
  master?: string;
  operstate: string;
  address: string;
  kind?: 'bridge' | 'tun';
  slave?: boolean;
  pci?: string;
  rx: number;
  tx: number;
}

const UP = ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'];

/** Byte counters of a guest's NIC as dom0 counts them (dom0 receives what the guest sends), from its xentop totals. */
function nicCounters(host: SimHost, d: SimDomain): { rx: number; tx: number } {
  const row = host.rowOf(d);
  const n = Math.max(1, d.config.nics.length);
  return { rx: Math.round((row.netTxK * 1024) / n), tx: Math.round((row.netRxK * 1024) / n) };
}

function vifLinks(host: SimHost): SimLink[] {
  const out: SimLink[] = [];
  for (const d of live(host)) {
    const c = nicCounters(host, d);
    for (const nic of d.config.nics) {
      const base = { flags: UP, mtu: 1500, master: nic.bridge, operstate: 'UP', slave: true, rx: c.rx, tx: c.tx };
      out.push({ ...base, ifindex: 100 + d.domid * 16 + nic.devid * 2, ifname: `vif${d.domid}.${nic.devid}`, qdisc: 'mq', address: 'fe:ff:ff:ff:ff:ff' });
      // qemu's emulated NIC of an HVM guest is a tap on the same bridge, until the guest's PV driver unplugs it.
      if (d.config.type === 'hvm') out.push({ ...base, ifindex: 101 + d.domid * 16 + nic.devid * 2, ifname: `vif${d.domid}.${nic.devid}-emu`, qdisc: 'pfifo_fast', address: 'fe:ff:ff:ff:ff:ff', kind: 'tun', rx: 0, tx: 0 });
    }
  }
  return out;
}

/** Every link of dom0, with counters as of now. */
function simLinks(host: SimHost): SimLink[] {
  const upS = Math.max(0, (host.now() - host.state.bootAt) / 1000);
  const vifs = vifLinks(host);
  const onBr = (br: string, k: 'rx' | 'tx') => vifs.filter((v) => v.master === br).reduce((s, v) => s + v[k], 0);
  // The LAN carries dom0's own traffic and what the guests on xenbr0 exchange with it.
  const own = { rx: Math.round(upS * 6_000), tx: Math.round(upS * 2_500) };
  return [
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, qdisc: 'noqueue', operstate: 'UNKNOWN', address: '00:00:00:00:00:00', rx: Math.round(upS * 300), tx: Math.round(upS * 300) },
    { ifindex: 2, ifname: 'eth0', flags: UP, mtu: 1500, qdisc: 'pfifo_fast', master: 'xenbr0', operstate: 'UP', address: '52:54:00:12:34:56', slave: true, pci: '0000:00:03.0', rx: own.rx + onBr('xenbr0', 'tx'), tx: own.tx + onBr('xenbr0', 'rx') },
    { ifindex: 3, ifname: 'xenbr0', flags: UP, mtu: 1500, qdisc: 'noqueue', operstate: 'UP', address: 'c6:57:65:94:b7:be', kind: 'bridge', ...own },
    { ifindex: 4, ifname: 'xenbr1', flags: UP, mtu: 1500, qdisc: 'noqueue', operstate: vifs.some((v) => v.master === 'xenbr1') ? 'UP' : 'DOWN', address: 'c6:57:65:94:b7:bf', kind: 'bridge', rx: 0, tx: Math.round(upS * 20) },
    ...vifs,
  ];
}

function stats64(l: SimLink): Record<string, unknown> {
  const pk = (b: number) => Math.round(b / 700);
  return {
    rx: { bytes: l.rx, packets: pk(l.rx), errors: 0, dropped: 0, over_errors: 0, multicast: 0 },
    tx: { bytes: l.tx, packets: pk(l.tx), errors: 0, dropped: 0, carrier_errors: 0, collisions: 0 },
  };
}

/** One element of `ip -j [-s] [-d] link show`, keys in iproute2's order. */
function linkJson(l: SimLink, details: boolean, stats: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { ifindex: l.ifindex, ifname: l.ifname, flags: l.flags, mtu: l.mtu, qdisc: l.qdisc };
  if (l.master !== undefined) o['master'] = l.master;
  Object.assign(o, { operstate: l.operstate, linkmode: 'DEFAULT', group: 'default', txqlen: l.ifname === 'lo' ? 1000 : l.kind === 'bridge' ? 0 : 1000 });
  Object.assign(o, l.ifname === 'lo' ? { link_type: 'loopback', address: l.address, broadcast: l.address } : { link_type: 'ether', address: l.address, broadcast: 'ff:ff:ff:ff:ff:ff' });
  if (details) {
    Object.assign(o, { promiscuity: l.slave === true ? 1 : 0, allmulti: l.slave === true ? 1 : 0, min_mtu: l.ifname === 'lo' ? 0 : 68, max_mtu: l.kind === 'bridge' ? 65535 : 65535 });
    const info: Record<string, unknown> = {};
    if (l.kind === 'bridge') Object.assign(info, { info_kind: 'bridge', info_data: { forward_delay: 0, hello_time: 200, max_age: 2000, stp_state: 0, priority: 32768, vlan_filtering: 0, vlan_protocol: '802.1Q' } });
    if (l.kind === 'tun') Object.assign(info, { info_kind: 'tun', info_data: { type: 'tap', pi: false, vnet_hdr: false, multi_queue: false, persist: false } });
    if (l.slave === true) Object.assign(info, { info_slave_kind: 'bridge', info_slave_data: { state: 'forwarding', priority: 32, cost: 2, hairpin: false, guard: false } });
    if (Object.keys(info).length > 0) o['linkinfo'] = info;
    Object.assign(o, { inet6_addr_gen_mode: 'eui64', num_tx_queues: 1, num_rx_queues: 1, gso_max_size: 65536, gso_max_segs: 65535 });
    if (l.pci !== undefined) Object.assign(o, { parentbus: 'pci', parentdev: l.pci });
  }
  if (stats) o['stats64'] = stats64(l);
  return o;
}

function addrInfo(family: 'inet' | 'inet6', local: string, prefixlen: number, scope: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { family, local, prefixlen, ...extra, scope, valid_life_time: 4294967295, preferred_life_time: 4294967295 };
}

/** `ip -j addr show`: dom0's addresses are on lo and xenbr0 (the bridge holds what was eth0's). */
function addrJson(l: SimLink): Record<string, unknown> {
  const base = linkJson(l, false, false);
  delete base['linkmode'];
  const info: Record<string, unknown>[] = [];
  if (l.ifname === 'lo') info.push(addrInfo('inet', '127.0.0.1', 8, 'host', { label: 'lo' }), addrInfo('inet6', '::1', 128, 'host'));
  if (l.ifname === 'xenbr0') info.push(addrInfo('inet', LAN.dom0, 24, 'global', { broadcast: `${LAN.prefix}.255`, label: 'xenbr0' }), addrInfo('inet6', LAN.dom0v6, 64, 'link'));
  return { ...base, addr_info: info };
}

/** `ip -j neigh show`: the LAN's gateway and every running guest on xenbr0 that dom0 has talked to. */
function neighJson(host: SimHost): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [{ dst: LAN.gateway, dev: 'xenbr0', lladdr: LAN.gatewayMac, state: ['REACHABLE'] }];
  for (const d of live(host)) {
    for (const nic of d.config.nics) {
      if (!UPLINKED.has(nic.bridge)) continue;
      out.push({ dst: simGuestIp(nic), dev: nic.bridge, lladdr: nic.mac, state: [d.phase === 'running' ? 'REACHABLE' : 'STALE'] });
    }
  }
  out.push({ dst: 'fe80::20d:b9ff:fe4a:1101', dev: 'xenbr0', lladdr: LAN.gatewayMac, router: null, state: ['STALE'] });
  return out;
}

/** `ip -j ...`: link (with -s and -d), addr and neigh, as JSON on one line like iproute2 prints it. */
export function runIpJson(host: SimHost, args: readonly string[]): string | null {
  const opts = new Set(args.filter((a) => a.startsWith('-')));
  const words = args.filter((a) => !a.startsWith('-'));
  if (!opts.has('-j')) return null;
  const [object, verb, ...rest] = words;
  if (verb !== undefined && verb !== 'show' && verb !== 'list') return null;
  let links = simLinks(host);
  // `ip link show master BR` / `dev NAME`.
  if (rest[0] === 'master' && rest[1] !== undefined) links = links.filter((l) => l.master === rest[1]);
  else if (rest[0] === 'dev' && rest[1] !== undefined) links = links.filter((l) => l.ifname === rest[1]);
  if (object === 'link') return `${JSON.stringify(links.map((l) => linkJson(l, opts.has('-d'), opts.has('-s'))))}\n`;
  if (object === 'addr' || object === 'address') return `${JSON.stringify(links.map(addrJson))}\n`;
  if (object === 'neigh') return `${JSON.stringify(neighJson(host))}\n`;
  return null;
}

/** xenstore keys for the guests' networks: each vif's backend in dom0, and what a guest's agent writes under attr/. */
export function simNetXenstore(d: SimDomain): { backend: [string, string][]; attr: [string, string][] } {
  const backend: [string, string][] = [];
  const attr: [string, string][] = [];
  for (const nic of d.config.nics) {
    const b = `/local/domain/0/backend/vif/${d.domid}/${nic.devid}`;
    backend.push(
      [`${b}/bridge`, nic.bridge],
      [`${b}/frontend`, `/local/domain/${d.domid}/device/vif/${nic.devid}`],
      [`${b}/frontend-id`, String(d.domid)],
      [`${b}/handle`, String(nic.devid)],
      [`${b}/hotplug-status`, 'connected'],
      [`${b}/mac`, nic.mac],
      [`${b}/online`, '1'],
      [`${b}/script`, '/etc/xen/scripts/vif-bridge'],
      [`${b}/state`, '4'],
      [`${b}/type`, d.config.type === 'hvm' ? 'vif_ioemu' : 'vif'],
    );
    if (simHasAgent(d)) attr.push([`/local/domain/${d.domid}/attr/vif/${nic.devid}/ipv4/0`, simGuestIp(nic)]);
  }
  return { backend, attr };
}
