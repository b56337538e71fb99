import { parseXlListLong, summariseLongEntry, type LongEntrySummary } from '../parse/xl-list-long';
import { XenError } from '../errors';
import { scanConfigs } from './configs';
import type { OpsContext } from './context';
import { assertNotBases } from '../storage/linked';

/** One domain's use of a disk image or device. */
export interface DiskUser {
  domain: string;
  vdev: string;
  access: 'rw' | 'ro';
  /** True when the use is by a running domain (from `xl list -l`), false when only its config names it. */
  running: boolean;
  /** A CD drive (known from the config). */
  cdrom?: boolean;
}

/** Running domains, Domain-0 included, as `xl list -l` describes them (the wizard and the disk checks read it). */
export async function runningDomains(ctx: OpsContext): Promise<LongEntrySummary[]> {
  return parseXlListLong(await ctx.out('domains.listLong', {})).map((e) => summariseLongEntry(e));
}

/** Adds one use of a disk to `out`, once. */
function addUse(out: Map<string, DiskUser[]>, target: string | null, u: DiskUser): void {
  if (target === null || target === '') return;
  const list = out.get(target) ?? [];
  if (!list.some((x) => x.domain === u.domain && x.vdev === u.vdev && x.running === u.running)) list.push(u);
  out.set(target, list);
}

/** The disks running domains use, by target. */
function runningUses(running: readonly LongEntrySummary[], out = new Map<string, DiskUser[]>()): Map<string, DiskUser[]> {
  for (const s of running) for (const d of s.domid === 0 ? [] : s.disks) addUse(out, d.target, { domain: s.name, vdev: d.vdev ?? '?', access: d.readonly ? 'ro' : 'rw', running: true });
  return out;
}

/** Every disk target in use, running or defined, with who uses it and how (empty CD drives left out). */
export async function diskUses(ctx: OpsContext): Promise<Map<string, DiskUser[]>> {
  const [configs, running] = await Promise.all([scanConfigs(ctx), runningDomains(ctx)]);
  const out = runningUses(running);
  for (const c of configs) {
    for (const d of c.config?.disks ?? []) addUse(out, d.target, { domain: c.name, vdev: d.vdev, access: d.access, running: false, ...(d.devtype === 'cdrom' ? { cdrom: true } : {}) });
  }
  return out;
}

/** The other domain whose use of `target` clashes with `access`: any read-write use, or any use when `access` is rw. */
export function clashingUser(users: readonly DiskUser[] | undefined, access: 'rw' | 'ro', self: string | null): DiskUser | null {
  const others = (users ?? []).filter((u) => u.domain !== self);
  // A running use wins over a defined one: it is the one a second writer would corrupt now.
  const clash = others.filter((u) => u.access === 'rw' || access === 'rw').sort((a, b) => Number(b.running) - Number(a.running));
  return clash[0] ?? null;
}

/** Words for a clash, naming the other domain, how it uses the disk and what would happen. */
export function clashMessage(target: string, u: DiskUser): string {
  const how = u.access === 'rw' ? 'read-write' : 'read-only';
  const who = u.running ? `running domain ${u.domain}` : `domain ${u.domain} (in its config)`;
  return `${target} is used ${how} by ${who} as ${u.vdev}; two domains writing one disk corrupt it. Use it read-only on both sides, or choose another disk`;
}

/**
 * Refuses to start `name` while a running domain uses one of its disks in a clashing way (a defined but stopped one
 * does not run at the same time, so it is no clash here). `disks` are the domain's config disks.
 */
export async function assertDisksFreeToStart(ctx: OpsContext, name: string, disks: readonly { target: string; access: 'rw' | 'ro'; vdev: string }[]): Promise<void> {
  if (disks.every((d) => d.target === '')) return;
  // Only running domains matter here: no config needs reading.
  const uses = runningUses(await runningDomains(ctx));
  for (const d of disks) {
    const clash = clashingUser(uses.get(d.target), d.access, name);
    if (clash !== null) throw new XenError('IN_USE', `Cannot start ${name}: ${clashMessage(d.target, clash)}`, { field: 'name', path: d.target, domain: clash.domain, vdev: d.vdev });
  }
  // A linked clone's base never runs read-write: its guest's writes would show through every overlay as corruption.
  await assertNotBases(ctx, disks.filter((d) => d.access === 'rw').map((d) => d.target), 'name', `Cannot start ${name}`);
}

/**
 * Refuses to hand `target` to domain `self` with `access` when another domain (running or defined) uses it read-write,
 * or uses it at all while `access` is rw: only read-only on both sides may share. Throws IN_USE naming the other domain.
 */
export async function assertDiskFree(ctx: OpsContext, target: string, access: 'rw' | 'ro', self: string | null, field = 'disk.target'): Promise<void> {
  if (target === '') return;
  const clash = clashingUser((await diskUses(ctx)).get(target), access, self);
  if (clash !== null) throw new XenError('IN_USE', clashMessage(target, clash), { field, path: target, domain: clash.domain, access: clash.access, running: clash.running });
  if (access === 'rw') await assertNotBases(ctx, [target], field, `${target} cannot be used read-write`);
}
