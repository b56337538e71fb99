import type { DomainAddresses, GuestIp, NetworksView } from '../../shared/network';
import { isXenError } from '../errors';
import { parseIpAddrs, parseIpLinks, parseIpNeigh, type IpNeighbour } from '../parse/ip-json';
import { parseXenstoreLs } from '../parse/xenstore';
import type { OpsContext } from '../ops/context';
import { bridgesFrom } from './bridges';
import { guestIps, vifFactsFrom, type VifFacts } from './guest-ips';

/** Every running domain's tree in one read: names, vif MACs and bridges (dom0's backend) and agents' attr/. */
const DOMAINS_ROOT = '/local/domain';

/** Names, vif MACs and agent addresses of every running domain, from one `xenstore-ls -f /local/domain`. */
async function readVifFacts(ctx: OpsContext): Promise<VifFacts> {
  return vifFactsFrom(parseXenstoreLs(await ctx.out('xenstore.list', { path: DOMAINS_ROOT })));
}

/** dom0's neighbour table; empty where `ip` cannot show it (then the guest agent is the only source). */
async function readNeighbours(ctx: OpsContext): Promise<IpNeighbour[]> {
  try {
    return parseIpNeigh(await ctx.out('net.neighbours', {}));
  } catch (e) {
    if (isXenError(e, 'XL_FAILED') || isXenError(e, 'XL_NOT_FOUND')) return [];
    throw e;
  }
}

/**
 * Every bridge on the host with its kind, uplinks, addresses, MTU and state, and the guests' interfaces on it with
 * their domain, MAC, addresses and byte counters. Four reads, in parallel, whatever the number of domains.
 */
export async function networks(ctx: OpsContext): Promise<NetworksView> {
  const [linksText, addrsText, facts, neighbours] = await Promise.all([ctx.out('net.links', {}), ctx.out('net.addrs', {}), readVifFacts(ctx), readNeighbours(ctx)]);
  const sampledAt = Date.now();
  const bridges = bridgesFrom(parseIpLinks(linksText), parseIpAddrs(addrsText), facts, guestIps(facts, neighbours));
  return { sampledAt, bridges };
}

/**
 * Each running domain's addresses, each with where it came from: two reads (xenstore, the neighbour table) for every
 * domain at once, never one per domain, so the list can ask after it has painted.
 */
export async function domainAddresses(ctx: OpsContext): Promise<DomainAddresses> {
  const [facts, neighbours] = await Promise.all([readVifFacts(ctx), readNeighbours(ctx)]);
  const byDomid = new Map<number, GuestIp[]>();
  for (const [key, ips] of guestIps(facts, neighbours)) {
    const domid = Number(key.split('/')[0]);
    byDomid.set(domid, [...(byDomid.get(domid) ?? []), ...ips]);
  }
  const domains = [...byDomid]
    .filter(([domid, ips]) => domid !== 0 && ips.length > 0 && facts.names.has(domid))
    .map(([domid, ips]) => ({ name: facts.names.get(domid)!, ips }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { domains };
}
