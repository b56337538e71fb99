import { formatDiskSpec, parseDiskSpec, type DiskSpec } from '../../shared/disk-spec';
import { formatVifSpec, parseVifSpec, type VifSpec } from '../../shared/vif-spec';
import { XenError } from '../errors';
import { parseXlBlockList } from '../parse/xl-block-list';
import { parseXlNetworkList } from '../parse/xl-network-list';
import type { OpsContext } from './context';
import { checkAbsPath, checkDomainRef, checkInt, checkMac, checkVdev, invalidArg, type DomainRef } from './validate';

/** Runs a spec parser/formatter, turning its complaint into INVALID_ARG on `field`. */
function specOrInvalid<T>(field: string, input: unknown, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof XenError && e.code !== 'PARSE') throw e;
    throw invalidArg(field, e instanceof Error ? e.message : String(e), typeof input === 'string' ? input : JSON.stringify(input));
  }
}

/** A disk given as a model or as xl disk-spec text; text is parsed and re-formatted so only what we understand passes. */
function diskSpecArg(disk: DiskSpec | string): string {
  const spec = typeof disk === 'string' ? specOrInvalid('disk', disk, () => parseDiskSpec(disk)) : disk;
  // A relative target would be resolved against xl's working directory: never what the user meant.
  if (spec.target !== '') checkAbsPath(spec.target, 'disk.target');
  return specOrInvalid('disk', disk, () => formatDiskSpec(spec));
}

function vifSpecArg(vif: VifSpec | string): string {
  return specOrInvalid('vif', vif, () => formatVifSpec(typeof vif === 'string' ? parseVifSpec(vif) : vif));
}

/** Hot-plugs a disk into a running domain (`xl block-attach DOM SPEC`). */
export async function blockAttach(ctx: OpsContext, dom: DomainRef, disk: DiskSpec | string): Promise<void> {
  const ref = checkDomainRef(dom);
  const spec = diskSpecArg(disk);
  await ctx.run('domain.blockAttach', { dom: ref, spec });
}

/** Unplugs a disk (`xl block-detach [--force] DOM VDEV`); needs the guest's cooperation unless forced. */
export async function blockDetach(ctx: OpsContext, dom: DomainRef, vdev: string | number, o: { force?: boolean } = {}): Promise<void> {
  const ref = checkDomainRef(dom);
  const dev = checkVdev(vdev);
  await ctx.run('domain.blockDetach', { dom: ref, vdev: dev, force: o.force === true });
}

/** Puts a medium into an HVM guest's existing CD drive (`xl cd-insert DOM VDEV PATH`). */
export async function cdInsert(ctx: OpsContext, dom: DomainRef, vdev: string, path: string): Promise<void> {
  const ref = checkDomainRef(dom);
  const dev = checkVdev(vdev);
  const file = checkAbsPath(path, 'path');
  await ctx.run('domain.cdInsert', { dom: ref, vdev: dev, file });
}

/** Empties an HVM guest's CD drive (`xl cd-eject DOM VDEV`). */
export async function cdEject(ctx: OpsContext, dom: DomainRef, vdev: string): Promise<void> {
  const ref = checkDomainRef(dom);
  const dev = checkVdev(vdev);
  await ctx.run('domain.cdEject', { dom: ref, vdev: dev });
}

/** Hot-plugs a network interface (`xl network-attach DOM SPEC`). */
export async function networkAttach(ctx: OpsContext, dom: DomainRef, vif: VifSpec | string): Promise<void> {
  const ref = checkDomainRef(dom);
  const spec = vifSpecArg(vif);
  await ctx.run('domain.networkAttach', { dom: ref, spec });
}

/** Unplugs a network interface by device number or MAC (`xl network-detach DOM DEVID|MAC`). */
export async function networkDetach(ctx: OpsContext, dom: DomainRef, devidOrMac: number | string): Promise<void> {
  const ref = checkDomainRef(dom);
  const dev =
    typeof devidOrMac === 'number' || /^\d+$/.test(devidOrMac)
      ? String(checkInt(Number(devidOrMac), 'device', 0, 65535))
      : checkMac(devidOrMac, 'device');
  await ctx.run('domain.networkDetach', { dom: ref, device: dev });
}

/** A domain's network interfaces as its backend sees them (`xl network-list DOM`). */
export async function networkList(ctx: OpsContext, dom: DomainRef): Promise<ReturnType<typeof parseXlNetworkList>> {
  return parseXlNetworkList(await ctx.out('domain.networkList', { dom: checkDomainRef(dom) }));
}

/** A domain's block devices as its backend sees them (`xl block-list DOM`). */
export async function blockList(ctx: OpsContext, dom: DomainRef): Promise<ReturnType<typeof parseXlBlockList>> {
  return parseXlBlockList(await ctx.out('domain.blockList', { dom: checkDomainRef(dom) }));
}
