import { SYSRQ, type Channel, type ParsedArgsOf } from '../../shared/contract';
import type { ApplyMode } from '../../shared/schemas';
import type { LifecycleAction } from '../../shared/lifecycle';

/**
 * Which calls are tasks, and how each is told in the task log. Every contract channel is listed exactly once (the
 * mapped type refuses a missing one, and test/unit/main/tasks/task-table.spec.ts checks the table against the
 * contract at run time): a change is a function naming the operation and its domains; a read or a session is not
 * logged. Labels name paths, sizes and keys, never a value that may be secret (config text, passwords, keystrokes).
 */

/** A task as the log names it. */
export interface TaskLabel {
  operation: string;
  domains: string[];
  /** What a job says it is doing while it runs, when it reports nothing itself (xl save, xl restore). */
  running?: string;
}

/** read: asks and changes nothing. session: a console or window, whose traffic (keystrokes, passwords) is never logged. */
export type NotLogged = 'read' | 'session';

export type TaskTable = { [C in Channel]: NotLogged | ((a: ParsedArgsOf<C>) => TaskLabel) };

/** The words the toolbar uses for each lifecycle action. */
export const ACTION_WORDS: Record<LifecycleAction, string> = {
  start: 'Start',
  shutdown: 'Shut down',
  reboot: 'Reboot',
  destroy: 'Force off',
  pause: 'Pause',
  unpause: 'Resume',
};

const APPLY_WORDS: Record<ApplyMode, string> = { live: 'now', config: 'at next start', both: 'now and at next start' };

/** At most this many names go in a record: a bulk action over a thousand domains says how many in its operation. */
const MAX_DOMAINS = 64;

const on = (name: string, operation: string, running?: string): TaskLabel => ({ operation, domains: [name], ...(running ? { running } : {}) });
const hostWide = (operation: string): TaskLabel => ({ operation, domains: [] });
const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

function memoryWords(a: ParsedArgsOf<'domain:setMemory'>): string {
  const parts = [a.targetMiB !== undefined ? `target ${a.targetMiB} MiB` : null, a.maxMiB !== undefined ? `maximum ${a.maxMiB} MiB` : null];
  return `Set memory ${parts.filter((p) => p !== null).join(', ')} (${APPLY_WORDS[a.apply]})`;
}

function schedWords(a: ParsedArgsOf<'domain:setSched'>): string {
  const parts = [a.weight !== undefined ? `weight ${a.weight}` : null, a.cap !== undefined ? `cap ${a.cap}` : null];
  return `Set scheduler ${parts.filter((p) => p !== null).join(', ')}`;
}

/** The one table: every channel of the contract, read, session or task. */
export const TASK_TABLE: TaskTable = {
  'app:status': 'read',
  'host:info': 'read',
  'history:read': 'read',
  'host:dmesg': 'read',
  'domains:list': 'read',
  'domain:details': 'read',
  'domain:start': (a) => on(a.name, a.paused ? 'Start paused' : 'Start'),
  'domain:shutdown': (a) => on(a.name, ACTION_WORDS.shutdown),
  'domain:reboot': (a) => on(a.name, ACTION_WORDS.reboot),
  'domain:sysrq': (a) => on(a.name, `Send SysRq ${a.key} (${SYSRQ[a.key]})`),
  'domain:destroy': (a) => on(a.name, ACTION_WORDS.destroy),
  'domain:pause': (a) => on(a.name, ACTION_WORDS.pause),
  'domain:unpause': (a) => on(a.name, ACTION_WORDS.unpause),
  'domain:save': (a) => on(a.name, `Save to ${a.file}`, `xl save is writing ${a.name}'s memory to ${a.file}`),
  'domain:restore': (a) => ({ ...hostWide(`Restore from ${a.file}`), running: `xl restore is reading ${a.file}` }),
  'domain:rename': (a) => on(a.name, `Rename to ${a.newName}`),
  'domain:delete': (a) => on(a.name, a.disks.length > 0 ? `Delete, with ${plural(a.disks.length, 'disk')}` : 'Delete (disks kept)'),
  'domain:autostart': (a) => on(a.name, a.enabled ? 'Start at host boot' : 'Do not start at host boot'),
  'domains:bulk': (a) => ({ operation: `${ACTION_WORDS[a.action]} (${plural(a.names.length, 'domain')})`, domains: a.names.slice(0, MAX_DOMAINS) }),
  'domain:setMemory': (a) => on(a.name, memoryWords(a)),
  'domain:setVcpus': (a) => on(a.name, `Set vCPUs to ${a.vcpus}${a.maxVcpus !== undefined ? `, maximum ${a.maxVcpus}` : ''} (${APPLY_WORDS[a.apply]})`),
  'domain:pinVcpu': (a) => on(a.name, `Pin ${a.vcpu === 'all' ? 'every vCPU' : `vCPU ${a.vcpu}`} to host CPUs ${a.cpus}`),
  'domain:setSched': (a) => on(a.name, schedWords(a)),
  'domain:attachDisk': (a) => on(a.name, `Attach ${a.disk.devtype === 'cdrom' ? 'CD drive' : 'disk'} ${a.disk.vdev} (${a.disk.target}) ${APPLY_WORDS[a.apply]}`),
  'domain:createDisk': (a) => on(a.name, `Create ${a.sizeGiB} GiB disk ${a.disk.vdev} (${a.disk.target}) ${APPLY_WORDS[a.apply]}`),
  'domain:detachDisk': (a) => on(a.name, `Detach disk ${a.vdev} ${APPLY_WORDS[a.apply]}`),
  'domain:cdInsert': (a) => on(a.name, `Insert ${a.file} in ${a.vdev}`),
  'domain:cdEject': (a) => on(a.name, `Eject ${a.vdev}`),
  'domain:attachNic': (a) => on(a.name, `Add a network interface${a.nic.bridge ? ` on ${a.nic.bridge}` : ''} ${APPLY_WORDS[a.apply]}`),
  'domain:detachNic': (a) => on(a.name, `Remove network interface ${a.mac} ${APPLY_WORDS[a.apply]}`),
  // The keys only: a value may be a VNC password.
  'domain:configPatch': (a) => on(a.name, `Change ${Object.keys(a.patch).join(', ') || 'nothing'} in the config file`),
  'domain:configGet': 'read',
  'domain:configCheck': 'read',
  'domain:configSave': (a) => on(a.name, 'Save the config file'),
  'files:list': 'read',
  'wizard:options': 'read',
  'wizard:preview': 'read',
  'wizard:create': (a) => on(a.plan.name, `Create domain ${a.plan.name}`),
  'domain:clonePreview': 'read',
  'domain:clone': (a) => ({ operation: `Clone as ${a.newName}${a.pool !== null ? ` into pool ${a.pool}` : ''}`, domains: [a.name, a.newName], running: `Copying ${a.name}'s disks` }),
  'domain:cloneCancel': () => hostWide('Cancel a clone'),
  'snapshot:list': 'read',
  // The snapshot's name is the user's words, shown as they gave them.
  'snapshot:create': (a) => ({ operation: `Take snapshot "${a.snapName}"`, domains: [a.name], running: `Taking a snapshot of ${a.name}` }),
  'snapshot:revert': (a) => on(a.name, `Revert to snapshot ${a.id}${a.stopRunning ? ' (powering it off first)' : ''}`),
  'snapshot:convertDisk': (a) =>
    a.how === 'overlay'
      ? { operation: `Put a qcow2 overlay on ${a.vdev}`, domains: [a.name], running: `Making an overlay on ${a.name}'s ${a.vdev}` }
      : { operation: `Convert ${a.vdev} to qcow2`, domains: [a.name], running: `Converting ${a.name}'s ${a.vdev}` },
  'snapshot:delete': (a) => on(a.name, `Delete snapshot ${a.id}${a.subtree ? ' and the snapshots below it' : ''}`),
  'networks:list': 'read',
  'domains:addresses': 'read',
  'storage:overview': 'read',
  'storage:devices': 'read',
  'storage:isos': 'read',
  'storage:poolAdd': (a) => hostWide(`Add ${a.pool.kind === 'lvm' ? 'LVM' : a.pool.kind === 'nfs' ? 'NFS' : 'directory'} pool ${a.pool.name}`),
  'storage:poolRemove': (a) => hostWide(`Remove pool ${a.name} from the list`),
  'storage:poolEdit': (a) =>
    hostWide(`Change pool ${a.name}: ${[a.iso === undefined ? '' : a.iso ? 'ISO library' : 'not the ISO library', a.persist === undefined ? '' : a.persist ? 'mount at boot' : 'not at boot'].filter(Boolean).join(', ') || 'nothing'}`),
  'storage:poolMount': (a) => hostWide(`Mount pool ${a.name}`),
  'storage:poolUnmount': (a) => hostWide(`Unmount pool ${a.name}`),
  'storage:vgCreate': (a) => hostWide(`Create volume group ${a.vg} on ${a.device} as pool ${a.pool}`),
  'storage:volumeCreate': (a) => hostWide(`Create ${a.sizeGiB} GiB volume ${a.name}${a.format ? ` (${a.format})` : ''} in pool ${a.pool}`),
  'storage:volumeClone': (a) => hostWide(`Clone volume ${a.name} to ${a.newName} in pool ${a.pool}`),
  'storage:volumeDelete': (a) => hostWide(`Delete volume ${a.name} from pool ${a.pool}`),
  'storage:volumeResize': (a) => hostWide(`${a.shrink ? 'Shrink' : 'Grow'} volume ${a.name} in pool ${a.pool} to ${a.sizeGiB} GiB`),
  // Image transfers: the file chooser is a read (nothing changes); a ticket only pairs an HTTP transfer with its job.
  'storage:uploadPick': 'read',
  'storage:volumeUpload': (a) => hostWide(`Upload image ${a.name} (${a.bytes} bytes) to pool ${a.pool}`),
  'storage:volumeDownload': (a) => hostWide(`Download volume ${a.name} from pool ${a.pool}`),
  'storage:transferTicket': 'session',
  'storage:transferCancel': () => hostWide('Cancel an image transfer'),
  'console:open': 'session',
  'console:write': 'session',
  'console:resize': 'session',
  'console:ack': 'session',
  'console:close': 'session',
  'vnc:open': 'session',
  'vnc:close': 'session',
  'window:detachConsole': 'session',
  'tasks:list': 'read',
};

/** How the log tells one call, or null when it is not logged. */
export function describeTask<C extends Channel>(channel: C, args: ParsedArgsOf<C>): TaskLabel | null {
  const entry = TASK_TABLE[channel] as NotLogged | ((a: ParsedArgsOf<C>) => TaskLabel) | undefined;
  if (entry === undefined || typeof entry === 'string') return null;
  return entry(args);
}
