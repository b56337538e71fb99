/** The timeouts of the command table's classes (src/xen/commands/table.ts gives each command its class). */

/** How long each kind of command may take before it is killed. */
export interface TimeoutTable {
  /** list, info, vcpu-list, xenstore reads, xentop -i 1 ... */
  query: number;
  /** pause, unpause, shutdown, reboot, destroy, mem-set, block-attach ... */
  change: number;
  /** xl create: hotplug scripts alone can take 10-15 s on a slow host. */
  create: number;
  /** xl save / restore move the whole guest memory through a file. */
  saveRestore: number;
}

/** Defaults; generous because a slow dom0 is not a failure, but nothing may hang forever. */
export const DEFAULT_TIMEOUTS: Readonly<TimeoutTable> = {
  query: 30_000,
  change: 60_000,
  create: 180_000,
  saveRestore: 600_000,
};
