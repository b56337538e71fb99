import { z } from 'zod';
import { XenError } from '../errors';
import { arrayElementLines, parseJsonOutput } from './json-text';

/** One interface from `ip -j -s -d link show`: what Xenith reads of it. */
export interface IpLink {
  ifindex: number;
  name: string;
  mtu: number;
  /** operstate: UP, DOWN, UNKNOWN, LOWERLAYERDOWN ... */
  state: string;
  flags: string[];
  mac: string | null;
  /** The bridge (or bond) it is a port of. */
  master: string | null;
  /** A VLAN's or macvlan's parent link. */
  parent: string | null;
  /** linkinfo.info_kind: bridge, bond, vlan, veth, tun, dummy ...; null for a physical NIC or a netback vif. */
  kind: string | null;
  /** A VLAN's id (linkinfo.info_data.id). */
  vlanId: number | null;
  /** stats64 (with -s): bytes received and sent. */
  rxBytes: number | null;
  txBytes: number | null;
}

/** One address from `ip -j addr show`. */
export interface IpAddr {
  ifname: string;
  family: 'ipv4' | 'ipv6';
  address: string;
  prefixLen: number;
  scope: string;
}

/** One entry of dom0's neighbour table, `ip -j neigh show`. */
export interface IpNeighbour {
  address: string;
  family: 'ipv4' | 'ipv6';
  dev: string;
  /** The neighbour's MAC, lower-case; null while unresolved (INCOMPLETE, FAILED). */
  mac: string | null;
  state: string[];
}

const count = z.number().int().min(0);
const linkSchema = z.object({
  ifindex: count,
  ifname: z.string().min(1).max(64),
  mtu: count.optional(),
  operstate: z.string().max(32).optional(),
  flags: z.array(z.string().max(32)).max(64).optional(),
  address: z.string().max(64).optional(),
  master: z.string().max(64).optional(),
  link: z.string().max(64).nullable().optional(),
  linkinfo: z
    .object({
      info_kind: z.string().max(32).optional(),
      info_data: z.object({ id: z.number().int().optional() }).loose().optional(),
    })
    .loose()
    .optional(),
  stats64: z.object({ rx: z.object({ bytes: count }).loose(), tx: z.object({ bytes: count }).loose() }).loose().optional(),
}).loose();

const addrSchema = z.object({
  ifname: z.string().min(1).max(64),
  addr_info: z
    .array(z.object({ family: z.string().max(16), local: z.string().max(64).optional(), prefixlen: count.optional(), scope: z.string().max(16).optional() }).loose())
    .max(4096)
    .optional(),
}).loose();

const neighSchema = z.object({
  dst: z.string().min(1).max(64),
  dev: z.string().max(64).optional(),
  lladdr: z.string().max(64).optional(),
  state: z.array(z.string().max(32)).max(16).optional(),
}).loose();

/** Parses a JSON array as `ip -j` prints it; each element checked by `schema`, a bad one naming its line. */
function parseArray<S extends z.ZodType>(what: string, text: string, schema: S): z.output<S>[] {
  // `ip -j` prints nothing at all for an empty neighbour table on some versions, and `[]` on others.
  if (text.trim() === '') return [];
  const data = parseJsonOutput(what, text);
  if (!Array.isArray(data)) throw new XenError('PARSE', `${what}: line 1: expected a JSON array`, { line: 1 });
  const lines = arrayElementLines(text);
  return data.map((el: unknown, i) => {
    const r = schema.safeParse(el);
    if (!r.success) {
      const issue = r.error.issues[0];
      const line = lines[i] ?? 1;
      throw new XenError('PARSE', `${what}: line ${line}: entry ${i}: ${issue?.path.join('.') || 'entry'} ${issue?.message ?? 'is not valid'}`, { line, entry: i });
    }
    return r.data;
  });
}

const familyOf = (f: string): 'ipv4' | 'ipv6' | null => (f === 'inet' ? 'ipv4' : f === 'inet6' ? 'ipv6' : null);

/** Parses `ip -j [-s] [-d] link show`. */
export function parseIpLinks(text: string): IpLink[] {
  return parseArray('ip link', text, linkSchema).map((l) => ({
    ifindex: l.ifindex,
    name: l.ifname,
    mtu: l.mtu ?? 0,
    state: l.operstate ?? 'UNKNOWN',
    flags: l.flags ?? [],
    mac: l.address !== undefined && l.address !== '' ? l.address.toLowerCase() : null,
    master: l.master ?? null,
    parent: l.link ?? null,
    kind: l.linkinfo?.info_kind ?? null,
    vlanId: l.linkinfo?.info_kind === 'vlan' ? (l.linkinfo.info_data?.id ?? null) : null,
    rxBytes: l.stats64?.rx.bytes ?? null,
    txBytes: l.stats64?.tx.bytes ?? null,
  }));
}

/** Parses `ip -j addr show`: every IPv4 and IPv6 address, by interface. */
export function parseIpAddrs(text: string): IpAddr[] {
  const out: IpAddr[] = [];
  for (const l of parseArray('ip addr', text, addrSchema)) {
    for (const a of l.addr_info ?? []) {
      const family = familyOf(a.family);
      if (family === null || a.local === undefined) continue;
      out.push({ ifname: l.ifname, family, address: a.local, prefixLen: a.prefixlen ?? 0, scope: a.scope ?? 'global' });
    }
  }
  return out;
}

/** Parses `ip -j neigh show`: each entry, its MAC lower-case (null while unresolved). */
export function parseIpNeigh(text: string): IpNeighbour[] {
  return parseArray('ip neigh', text, neighSchema).map((n) => ({
    address: n.dst,
    family: n.dst.includes(':') ? ('ipv6' as const) : ('ipv4' as const),
    dev: n.dev ?? '',
    mac: n.lladdr !== undefined && n.lladdr !== '' ? n.lladdr.toLowerCase() : null,
    state: n.state ?? [],
  }));
}
