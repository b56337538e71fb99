import type { WizardOptions } from '../../shared/contract-types';
import type { DomainType } from '../../shared/dto';
import { normaliseMac, parseVifSpec, randomXenMac } from '../../shared/vif-spec';
import { isXenError } from '../errors';
import { parseXlConfig } from '../config/xl-config';
import { joinPath, type WizardDeps } from './deps';
import { OS_PRESETS } from './presets';

/** Names and MACs already taken on the host: every config file and every running domain. */
export interface UsedIdentities {
  names: string[];
  macs: string[];
}

async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch {
    return null;
  }
}

/** Names (from `name=` and the file name) and MACs of every `*.cfg` in the config directory. */
async function fromConfigs(d: WizardDeps, out: UsedIdentities): Promise<void> {
  let files: string[];
  try {
    files = await d.runner.fs.list(d.paths.configDir);
  } catch (e) {
    if (isXenError(e, 'NOT_FOUND')) return;
    throw e;
  }
  const cfgs = files.filter((n) => n.endsWith('.cfg'));
  // One round trip per file on a remote host: read them all at once.
  const texts = await Promise.all(cfgs.map((f) => orNull(d.runner.fs.readFile(joinPath(d.paths.configDir, f)))));
  for (const [i, f] of cfgs.entries()) {
    // NAME.cfg is taken even when it holds something else: the wizard never writes over it.
    out.names.push(f.slice(0, -4));
    const text = texts[i] ?? null;
    if (text === null) continue;
    let obj: Record<string, unknown>;
    try {
      obj = parseXlConfig(text).toObject() as Record<string, unknown>;
    } catch {
      continue;
    }
    if (typeof obj['name'] === 'string') out.names.push(obj['name']);
    const vif = obj['vif'];
    for (const spec of Array.isArray(vif) ? vif : []) {
      if (typeof spec !== 'string') continue;
      try {
        const mac = parseVifSpec(spec).mac;
        if (mac !== undefined) out.macs.push(mac);
      } catch {
        // A vif the parser refuses cannot hold a MAC we would collide with in a way xl accepts.
      }
    }
  }
}

/** Names and MACs of running domains (`xl list -l`), which may have no config file at all. */
async function fromRunning(d: WizardDeps, out: UsedIdentities): Promise<void> {
  for (const s of await d.api.runningDomains()) {
    out.names.push(s.name);
    for (const n of s.nics) if (n.mac !== null) out.macs.push(n.mac);
  }
}

/** Every name and MAC in use, de-duplicated (MACs lower-case). */
export async function usedIdentities(d: WizardDeps): Promise<UsedIdentities> {
  const out: UsedIdentities = { names: [], macs: [] };
  // Config files and `xl list -l` between them name every domain the domain list shows.
  await Promise.all([fromConfigs(d, out), fromRunning(d, out)]);
  return {
    names: [...new Set(out.names)].sort(),
    macs: [...new Set(out.macs.map((m) => normaliseMac(m)).filter((m): m is string => m !== null))].sort(),
  };
}

/** A random 00:16:3e MAC that no config or running domain uses (and none in `also`). */
export function uniqueMac(used: readonly string[], rand?: (n: number) => Uint8Array): string {
  const taken = new Set(used.map((m) => normaliseMac(m) ?? m));
  for (let i = 0; i < 1000; i++) {
    const mac = randomXenMac(rand);
    if (!taken.has(mac)) return mac;
  }
  // 8 million addresses and a thousand tries: only a broken random source gets here.
  throw new Error('could not find an unused MAC address');
}

const TYPE_WORDS: Record<DomainType, { yes: string; no: string }> = {
  pv: { yes: 'Paravirtualised: the guest kernel knows it runs on Xen; no emulation, no device model.', no: 'The hypervisor does not offer PV guests (virt_caps has no "pv").' },
  pvh: { yes: 'PV in a hardware container: needs a PVH-capable kernel, no device model, the best isolation.', no: 'PVH needs hardware virtualisation (virt_caps "hvm" with "hap" or "shadow").' },
  hvm: { yes: 'Fully virtualised PC with emulated devices (qemu): runs any OS, including Windows and installers from ISO.', no: 'HVM needs hardware virtualisation (virt_caps "hvm" with "hap" or "shadow").' },
};

/** What the wizard needs to know about the host: guest types, bridges, CPUs, memory, presets, used names and MACs. */
export async function wizardOptions(d: WizardDeps): Promise<WizardOptions> {
  const [info, used, qemuImg, imageDirFreeBytes, targets] = await Promise.all([
    d.api.hostInfo(),
    usedIdentities(d),
    d.api.hasQemuImg(),
    orNull(d.runner.fs.freeBytes(d.paths.imageDir)),
    orNull(d.api.poolTargets()),
  ]);
  const types: DomainType[] = ['hvm', 'pv', 'pvh'];
  return {
    guestTypes: types.map((type) => {
      const available = info.guestTypes.includes(type);
      return { type, available, reason: available ? TYPE_WORDS[type].yes : TYPE_WORDS[type].no };
    }),
    bridges: info.bridges,
    hostCpus: info.nrCpus,
    freeMemMiB: info.freeMemMiB,
    totalMemMiB: info.totalMemMiB,
    imageDir: d.paths.imageDir,
    imageDirFreeBytes,
    configDir: d.paths.configDir,
    qemuImg,
    presets: [...OS_PRESETS],
    usedNames: used.names,
    usedMacs: used.macs,
    suggestedMac: uniqueMac(used.macs),
    // Where new disks may go: directory pools (files) and LVM pools (/dev/VG/NAME). None when pools cannot be read.
    pools: [
      ...(targets?.dirs ?? []).map((p) => ({ name: p.pool, kind: 'dir' as const, dir: p.path, freeBytes: null, thin: false })),
      ...(targets?.lvm ?? []).map((p) => ({ name: p.pool, kind: 'lvm' as const, dir: `/dev/${p.vg}`, freeBytes: p.freeBytes, thin: p.thinPool !== null })),
    ],
  };
}
