import type { DomainConfig } from '../../shared/domain-config';
import type { DomainAddresses, GuestIp, NetworksView } from '../../shared/network';
import { readXlModel } from '../config/from-xl';
import { parseXlConfig } from '../config/xl-config';
import { isXenError, XenError } from '../errors';
import { pickConfig, scanConfigs } from '../ops/configs';
import { parseIpAddrs, parseIpLinks, parseIpNeigh, type IpNeighbour } from '../parse/ip-json';
import { parseXenstoreLs } from '../parse/xenstore';
import type { OpsContext } from '../ops/context';
import { bridgesFrom } from './bridges';
import { guestIps, vifFactsFrom, type VifFacts } from './guest-ips';
import { assertBridgesExist, assertMacsFree, changedNics, macUsers } from './identity';

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

/**
 * What the host says of config text's NICs before it is saved: each bridge it newly names that the host lacks and each
 * MAC it newly gives that another domain has, as problems naming the field (empty when the text does not parse: the
 * syntax check says so). The same rules writeConfig enforces, told while the text is typed.
 */
export async function configNicProblems(ctx: OpsContext, name: string, text: string): Promise<{ field: string; message: string }[]> {
  let next: DomainConfig;
  try {
    next = readXlModel(parseXlConfig(text).toObject() as Record<string, unknown>).config;
  } catch {
    return [];
  }
  const configs = await scanConfigs(ctx);
  const { bridges, macs } = changedNics(next, pickConfig(configs, name)?.config ?? null);
  const out: { field: string; message: string }[] = [];
  for (const check of [() => assertBridgesExist(ctx, bridges), async () => assertMacsFree(await macUsers(ctx, configs), macs, name)]) {
    try {
      if (bridges.length > 0 || macs.length > 0) await check();
    } catch (e) {
      if (!(e instanceof XenError) || typeof e.detail['field'] !== 'string') throw e;
      out.push({ field: e.detail['field'], message: e.message });
    }
  }
  return out;
}
