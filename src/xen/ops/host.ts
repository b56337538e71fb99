import type { HostInfo } from '../../shared/dto';
import { isXenError, XenError } from '../errors';
import { consoleTtyFrom, parseXenstoreLs, vncFrom } from '../parse/xenstore';
import { parseXlDmesg } from '../parse/xl-dmesg';
import { guestTypesFromVirtCaps, parseXlInfo } from '../parse/xl-info';
import { parseXlUptime } from '../parse/xl-uptime';
import type { OpsContext } from './context';
import { listRows } from './rows';
import { checkDomainRef, checkDomid, type DomainRef } from './validate';

/** Bridge names from `ip -o link show type bridge` ("3: xenbr0: <BROADCAST,...> mtu 1500 ..."). */
export function bridgesFromIpLink(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)(?:@[^:\s]*)?:\s/.exec(line);
    if (m?.[1] !== undefined) out.push(m[1]);
  }
  return out;
}

/** The host's bridges; null when `ip` is missing or refuses, so nobody can tell which exist. */
export async function bridgesOrUnknown(ctx: OpsContext): Promise<string[] | null> {
  try {
    const { stdout } = await ctx.run('host.bridges', {});
    return bridgesFromIpLink(stdout);
  } catch (e) {
    if (isXenError(e, 'XL_FAILED') || isXenError(e, 'XL_NOT_FOUND') || isXenError(e, 'UNSUPPORTED')) return null;
    throw e;
  }
}

/** The host's bridges; an empty list when they cannot be read (the wizard then asks for a name). */
async function bridges(ctx: OpsContext): Promise<string[]> {
  return (await bridgesOrUnknown(ctx)) ?? [];
}

/**
 * Refuses a bridge the host does not have (xl would fail in the hotplug script, after the domain was half-changed),
 * naming the field and the bridges there are. When the bridges cannot be read, nothing is refused: xl decides.
 */
export async function assertBridgeExists(ctx: OpsContext, bridge: string, field = 'nic.bridge'): Promise<void> {
  const known = await bridgesOrUnknown(ctx);
  if (known !== null && !known.includes(bridge)) {
    throw new XenError('INVALID_ARG', `${field}: the host has no bridge "${bridge}" (it has ${known.length > 0 ? known.join(', ') : 'none'})`, { field, bridge, bridges: known });
  }
}

/** Host facts from `xl info`, dom0's memory from `xl list` and the bridges from `ip link`. */
export async function hostInfo(ctx: OpsContext): Promise<HostInfo> {
  // Three independent reads: in parallel, as each costs a round trip over ssh.
  const [infoText, rows, bridgeNames] = await Promise.all([ctx.out('host.info', {}), listRows(ctx), bridges(ctx)]);
  const info = parseXlInfo(infoText);
  const dom0 = rows.find((r) => r.domid === 0);
  return {
    hostname: info.host,
    xenVersion: info.xenVersion,
    release: info.release,
    machine: info.machine,
    nrCpus: info.nrCpus,
    nrNodes: info.nrNodes,
    coresPerSocket: info.coresPerSocket,
    threadsPerCore: info.threadsPerCore,
    cpuMhz: info.cpuMhz,
    totalMemMiB: info.totalMemoryMiB,
    freeMemMiB: info.freeMemoryMiB,
    virtCaps: info.virtCaps,
    guestTypes: guestTypesFromVirtCaps(info.virtCaps),
    scheduler: info.xenScheduler,
    xenCommandline: info.xenCommandline,
    dom0MemMiB: dom0?.memMiB ?? 0,
    bridges: bridgeNames,
  };
}

/** How long each domain (or one) has run (`xl uptime [DOM]`). */
export async function uptime(ctx: OpsContext, dom?: DomainRef): Promise<ReturnType<typeof parseXlUptime>> {
  return parseXlUptime(await ctx.out('domains.uptime', dom === undefined ? {} : { dom: checkDomainRef(dom) }));
}

/** The hypervisor's log (`xl dmesg`). */
export async function dmesg(ctx: OpsContext): Promise<ReturnType<typeof parseXlDmesg>> {
  return parseXlDmesg(await ctx.out('host.dmesg', {}));
}

/** Where a domain's consoles are: its PV console pty and, when it has one, its VNC server. */
export interface ConsoleInfo {
  tty: string | null;
  vncPort: number | null;
  vncListen: string | null;
}

/** Reads a running domain's console keys from xenstore in one call (`xenstore-ls -f /local/domain/ID/console`). */
export async function consoleInfo(ctx: OpsContext, domid: number): Promise<ConsoleInfo> {
  const id = checkDomid(domid);
  const base = `/local/domain/${id}/console`;
  const { stdout } = await ctx.run('xenstore.list', { path: base });
  const entries = parseXenstoreLs(stdout);
  const vnc = vncFrom(entries, id);
  return { tty: consoleTtyFrom(entries, id), vncPort: vnc?.port ?? null, vncListen: vnc?.listen ?? null };
}

/** True when the host can run qemu-img (it makes qcow2 images); false when it is missing or refuses. */
export async function hasQemuImg(ctx: OpsContext): Promise<boolean> {
  try {
    return (await ctx.run('qemuImg.version', {}, { allowFailure: true, timeoutMs: 10_000 })).exitCode === 0;
  } catch {
    return false;
  }
}
