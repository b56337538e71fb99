import { SimFailure } from './host';
import { ok, type SimResult, type XlContext, type XlHandler } from './xl-common';
import { cdrom, blockAttach, blockDetach, memSetMax, networkAttach, networkDetach, vcpuPin, vcpuSet } from './xl-devices';
import { create, destroy, pauseUnpause, rename, restore, save, shutdownOrReboot, sysrq } from './xl-lifecycle';
import { blockList, dmesg, domid, domname, info, list, networkList, schedCredit2, uptime, vcpuList } from './xl-read';

export { SAVE_MAGIC, parseMemSizeKiB, type SimResult, type XlContext } from './xl-common';
export { hostFacts } from './xl-read';
export { cfgFromWords } from './xl-lifecycle';

/** Every subcommand the simulator answers, each in the file of its area. */
const SUBCOMMANDS: Readonly<Record<string, XlHandler>> = {
  list: (ctx, args) => list(ctx, args),
  info,
  'vcpu-list': (ctx, args) => vcpuList(ctx, args),
  uptime: (ctx, args) => uptime(ctx, args),
  dmesg,
  'network-list': (ctx, args) => networkList(ctx, args),
  'block-list': (ctx, args) => blockList(ctx, args),
  'sched-credit2': (ctx, args) => schedCredit2(ctx, args),
  domid,
  domname,
  create: (ctx, args, { dryRunGlobal }) => create(ctx, args, dryRunGlobal),
  shutdown: (ctx, args) => shutdownOrReboot(ctx, 'shutdown', args),
  reboot: (ctx, args) => shutdownOrReboot(ctx, 'reboot', args),
  destroy,
  pause: pauseUnpause,
  unpause: pauseUnpause,
  sysrq,
  save: (ctx, args) => save(ctx, args),
  restore: (ctx, args) => restore(ctx, args),
  rename,
  'mem-set': (ctx, args) => memSetMax(ctx, 'mem-set', args),
  'mem-max': (ctx, args) => memSetMax(ctx, 'mem-max', args),
  'vcpu-set': (ctx, args) => vcpuSet(ctx, args),
  'vcpu-pin': (ctx, args) => vcpuPin(ctx, args),
  'block-attach': (ctx, args) => blockAttach(ctx, args),
  'block-detach': (ctx, args) => blockDetach(ctx, args),
  'network-attach': (ctx, args) => networkAttach(ctx, args),
  'network-detach': (ctx, args) => networkDetach(ctx, args),
  'cd-insert': (ctx, args) => cdrom(ctx, 'cd-insert', args),
  'cd-eject': (ctx, args) => cdrom(ctx, 'cd-eject', args),
  help: () => ok(HELP),
};

/** Runs one `xl ...` command line against the simulated host. */
export async function runXl(ctx: XlContext, argv: readonly string[]): Promise<SimResult> {
  ctx.host.tick();
  // Global options before the subcommand (xl -v, -f, -N, -t, -T).
  let i = 0;
  let dryRunGlobal = false;
  while (i < argv.length && /^-[vfNtTA]+$/.test(argv[i] ?? '')) {
    if ((argv[i] ?? '').includes('N')) dryRunGlobal = true;
    i++;
  }
  const cmd = argv[i];
  if (cmd === undefined) throw new SimFailure('Usage xl [-vfNtT] <subcommand> [args]\n', 1);
  const handler = Object.hasOwn(SUBCOMMANDS, cmd) ? SUBCOMMANDS[cmd] : undefined;
  try {
    if (handler === undefined) throw new SimFailure('command not implemented\n', 1);
    return await handler(ctx, argv.slice(i + 1), { cmd, dryRunGlobal });
  } catch (e) {
    if (e instanceof SimFailure) return { stdout: e.stdout, stderr: e.stderr, exitCode: e.exitCode };
    throw e;
  }
}

const HELP = `Usage xl [-vfNtT] <subcommand> [args]

xl full list of subcommands:

 create              Create a domain from config file <filename>
 list                List information about all/some domains
 destroy             Terminate a domain immediately
 shutdown            Issue a shutdown signal to a domain
 reboot              Issue a reboot signal to a domain
 pause               Pause execution of a domain
 unpause             Unpause a paused domain
 console             Attach to domain's console
 save                Save a domain state to restore later
 restore             Restore a domain from a saved state
 cd-insert           Insert a cdrom into a guest's cd drive
 cd-eject            Eject a cdrom from a guest's cd drive
 mem-max             Set the maximum amount reservation for a domain
 mem-set             Set the current memory usage for a domain
 vcpu-list           List the VCPUs for all/some domains
 vcpu-pin            Set which CPUs a VCPU can use
 vcpu-set            Set the number of active VCPUs allowed for the domain
 info                Get information about Xen host
 sched-credit2       Get/set credit2 scheduler parameters
 domid               Convert a domain name to domain id
 domname             Convert a domain id to domain name
 rename              Rename a domain
 dmesg               Read and/or clear dmesg buffer
 network-attach      Create a new virtual network device
 network-list        List virtual network interfaces for a domain
 network-detach      Destroy a domain's virtual network device
 block-attach        Create a new virtual block device
 block-list          List virtual block devices for a domain
 block-detach        Destroy a domain's virtual block device
 uptime              Print uptime for all/some domains
`;
