import type { DomainConfig } from '../../shared/domain-config';
import { normaliseMac } from '../../shared/vif-spec';
import { XenError } from '../errors';
import { parseXlListLong, summariseLongEntry } from '../parse/xl-list-long';
import type { ConfigEntry } from '../ops/configs';
import type { OpsContext } from '../ops/context';
import { bridgesOrUnknown } from '../ops/host';

/** A value of a NIC to check, with the field it came from ("vifs[0].bridge", "nic.mac"). */
export interface NamedValue {
  value: string;
  field: string;
}

/**
 * Refuses a bridge the host does not have, naming the field and the bridges there are (xl would fail in the hotplug
 * script only when the domain starts). When the bridges cannot be read, nothing is refused: xl decides.
 */
export async function assertBridgesExist(ctx: OpsContext, bridges: readonly NamedValue[]): Promise<void> {
  if (bridges.length === 0) return;
  const known = await bridgesOrUnknown(ctx);
  if (known === null) return;
  const bad = bridges.find((b) => !known.includes(b.value));
  if (bad !== undefined) {
    const has = known.length > 0 ? `it has ${known.join(', ')}` : 'it has none';
    throw new XenError('INVALID_ARG', `${bad.field}: the host has no bridge "${bad.value}" (${has})`, { field: bad.field, bridge: bad.value, bridges: known });
  }
}

/** Every MAC in use and by which domains: each config's interfaces and each running domain's (which may have none). */
export async function macUsers(ctx: OpsContext, configs: readonly ConfigEntry[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const add = (mac: string | null | undefined, who: string): void => {
    const m = mac === null || mac === undefined ? null : normaliseMac(mac);
    if (m !== null) out.set(m, (out.get(m) ?? new Set()).add(who));
  };
  for (const c of configs) for (const v of c.config?.vifs ?? []) add(v.mac, c.name);
  for (const e of parseXlListLong(await ctx.out('domains.listLong', {}))) {
    const s = summariseLongEntry(e);
    for (const n of s.nics) add(n.mac, s.name);
  }
  return out;
}

/**
 * Refuses a MAC another domain uses (running or defined): two guests with one MAC on a bridge take each other's
 * traffic. `self` may keep its own; the refusal names the field and the domain.
 */
export function assertMacsFree(users: ReadonlyMap<string, ReadonlySet<string>>, macs: readonly NamedValue[], self: string | null): void {
  for (const m of macs) {
    const mac = normaliseMac(m.value);
    if (mac === null) continue;
    const other = [...(users.get(mac) ?? [])].find((d) => d !== self);
    if (other !== undefined) throw new XenError('EXISTS', `${m.field}: MAC ${mac} is already used by domain ${other}`, { field: m.field, mac, domain: other });
  }
}

/** The NICs of `next` that `before` did not have as they are: a new bridge or a new MAC is checked, an old one kept. */
export function changedNics(next: DomainConfig, before: DomainConfig | null): { bridges: NamedValue[]; macs: NamedValue[] } {
  const oldBridges = new Set((before?.vifs ?? []).map((v) => v.bridge));
  const oldMacs = new Set((before?.vifs ?? []).map((v) => (v.mac === undefined ? null : normaliseMac(v.mac))));
  const bridges: NamedValue[] = [];
  const macs: NamedValue[] = [];
  next.vifs.forEach((v, i) => {
    if (v.bridge !== undefined && !oldBridges.has(v.bridge)) bridges.push({ value: v.bridge, field: `vifs[${i}].bridge` });
    if (v.mac !== undefined && !oldMacs.has(normaliseMac(v.mac))) macs.push({ value: v.mac, field: `vifs[${i}].mac` });
  });
  return { bridges, macs };
}

/**
 * Before a config is written: a bridge it newly names must exist on the host, and a MAC it newly gives must be no
 * other domain's. What the file already said is left to the Config tab's problems, so an unrelated edit still saves.
 */
export async function assertNicsFit(ctx: OpsContext, name: string, next: DomainConfig, before: DomainConfig | null, configs: readonly ConfigEntry[]): Promise<void> {
  const { bridges, macs } = changedNics(next, before);
  if (bridges.length === 0 && macs.length === 0) return;
  const [users] = await Promise.all([macs.length > 0 ? macUsers(ctx, configs) : Promise.resolve(new Map<string, Set<string>>()), assertBridgesExist(ctx, bridges)]);
  assertMacsFree(users, macs, name);
}
