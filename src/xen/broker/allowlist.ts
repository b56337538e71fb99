import { XenError } from '../errors';
import { assertCommand } from '../runner/programs';
import type { XenProgram } from '../runner/types';
import type { PathGuard } from './paths';

/** Where xl may read configs (config) and read or write disk and save images (images). */
export interface BrokerGuards {
  config: PathGuard;
  images: PathGuard;
}

/** The xl subcommands Xenith uses; the broker runs as root, so nothing else gets through. */
export const XL_SUBCOMMANDS: ReadonlySet<string> = new Set([
  'list', 'info', 'vcpu-list', 'uptime', 'dmesg', 'network-list', 'block-list', 'sched-credit2', 'domid', 'domname',
  'create', 'shutdown', 'reboot', 'destroy', 'pause', 'unpause', 'save', 'restore', 'rename',
  'mem-set', 'mem-max', 'vcpu-set', 'vcpu-pin', 'block-attach', 'block-detach', 'cd-insert', 'cd-eject',
  'network-attach', 'network-detach', 'console',
]);

/** xl create options that only change how the domain starts (-p paused, -n dry run, -c console, -e, -d, -q, -V). */
const XL_CREATE_FLAGS = new Set(['-p', '-n', '-c', '-e', '-d', '-q', '-V']);

const refuse = (msg: string, detail: Record<string, unknown> = {}): never => {
  throw new XenError('INVALID_ARG', msg, { field: 'args', ...detail });
};

/**
 * Checks a `run` request before the root broker starts anything: a known program, plain string arguments, and per
 * program only the read-only or Xenith-shaped uses. Files that xl, as root, would read or write (create's config,
 * save/restore images, qemu-img targets) must lie inside the guards' roots.
 */
export async function checkRun(program: unknown, args: unknown, guards: BrokerGuards): Promise<{ program: XenProgram; args: readonly string[] }> {
  assertCommand(program, args);
  const p = program as XenProgram;
  switch (p) {
    case 'xl':
      return { program: p, args: await checkXl(args, guards) };
    case 'xentop':
      // -b batch, -d delay, -i iterations, and the column toggles; all read-only.
      for (const a of args) if (!/^(-[bdinrvxfz]|\d+(\.\d+)?)$/.test(a)) refuse(`xentop argument ${JSON.stringify(a)} is not allowed`);
      return { program: p, args };
    case 'xenstore-read':
    case 'xenstore-ls':
    case 'xenstore-list':
      // Reads only; keys are plain words and slashes.
      for (const a of args) if (!/^(-[a-z]|[\w/@:.-]+)$/i.test(a)) refuse(`${p} argument ${JSON.stringify(a)} is not allowed`);
      return { program: p, args };
    case 'brctl':
      if (args.length !== 1 || args[0] !== 'show') refuse('Only "brctl show" is allowed');
      return { program: p, args };
    case 'ip':
      checkIp(args);
      return { program: p, args };
    case 'qemu-img':
      return { program: p, args: await checkQemuImg(args, guards.images) };
  }
}

async function checkXl(args: readonly string[], guards: BrokerGuards): Promise<readonly string[]> {
  const at = args.findIndex((a) => !/^-v+$/.test(a)); // only -v/-vvv may come before the subcommand
  const sub = at === -1 ? undefined : args[at];
  if (sub === undefined || !XL_SUBCOMMANDS.has(sub)) refuse(`xl ${String(sub)} is not a command Xenith runs`, { subcommand: sub });
  const rest = args.slice(at + 1);
  const out = [...args];
  const checkPathAt = async (i: number, guard: PathGuard): Promise<void> => {
    out[at + 1 + i] = await guard.check(rest[i], 'follow');
  };
  if (sub === 'create') {
    // key=value overrides (bootloader=..., device_model_override=...) would let a caller run anything as root.
    const files = rest.map((a, i) => ({ a, i })).filter(({ a }) => !XL_CREATE_FLAGS.has(a));
    if (files.length !== 1) refuse('xl create takes known flags and exactly one config file');
    await checkPathAt(files[0]!.i, guards.config);
  } else if (sub === 'save' || sub === 'restore') {
    // A save file carries the domain's config, which restore obeys as root; so save files live under the config
    // roots (Debian's xendomains uses /var/lib/xen/save), never in an image directory the user may write to.
    for (let i = 0; i < rest.length; i++) if (rest[i]!.startsWith('/')) await checkPathAt(i, guards.config);
  } else if (sub === 'cd-insert') {
    // xl cd-insert <domain> <vdev> <target>: the image root will open.
    if (rest.length === 3 && rest[2]!.startsWith('/')) await checkPathAt(2, guards.images);
  } else if (sub === 'block-attach') {
    // A file target must be an image the user put in an image directory; block devices (/dev/...) are allowed.
    for (let i = 0; i < rest.length; i++) {
      const m = /(?:^|,)\s*target\s*=\s*(.*)$/.exec(rest[i]!);
      const target = m?.[1]?.trim() ?? (rest[i]!.startsWith('/') ? rest[i]! : undefined);
      if (target === undefined || target.startsWith('/dev/')) continue;
      if (target.includes(',') || !target.startsWith('/')) refuse(`Disk target ${JSON.stringify(target)} is not allowed`);
      await guards.images.check(target, 'follow');
    }
  } else if (sub === 'network-attach') {
    // vif script= runs as root: only the stock scripts from /etc/xen/scripts, named without a path.
    for (const a of rest) if (/(?:^|,)\s*script\s*=\s*[^,]*\//.test(a)) refuse('A vif script must be a name from /etc/xen/scripts');
  }
  return out;
}

/** xl.cfg keys whose value is a program (or its arguments) root would run; Xenith never writes them except pygrub. */
const RUNS_PROGRAM = /^\s*(device_model_override|device_model_stubdomain_override|device_model_args|device_model_args_pv|device_model_args_hvm|stubdomain_kernel|stubdomain_ramdisk|bootloader)\s*=\s*(.*)$/;
const STOCK_BOOTLOADER = /^["']?(pygrub|\/usr\/lib\/xen-[\d.]+\/bin\/pygrub)["']?\s*$/;

/**
 * Refuses config text that would make `xl create` (running as root) start a program of the caller's choosing:
 * a device-model or stub-domain override, a bootloader other than pygrub, or a vif/disk script given as a path.
 */
export function checkConfigText(text: string): void {
  text.split('\n').forEach((line, i) => {
    const m = RUNS_PROGRAM.exec(line.replace(/#.*$/, ''));
    if (m !== null && !(m[1] === 'bootloader' && STOCK_BOOTLOADER.test(m[2] ?? ''))) {
      refuse(`Config line ${i + 1} sets ${m[1]}, which Xenith does not allow`, { line: i + 1 });
    }
    // Not comment-stripped: a '#' inside a quoted list item must not hide the rest of the line.
    if (/\bscript\s*=\s*[^,'"\]]*\//.test(line)) refuse(`Config line ${i + 1} names a script by path`, { line: i + 1 });
  });
}

const IP_OPTIONS = new Set(['-j', '-json', '-o', '-oneline', '-br', '-brief', '-d', '-details', '-p', '-pretty', '-s', '-4', '-6']);
const IP_OBJECTS = new Set(['link', 'addr', 'address', 'route']);

function checkIp(args: readonly string[]): void {
  const at = args.findIndex((a) => !IP_OPTIONS.has(a));
  if (at === -1) refuse('ip needs an object');
  if (args.slice(0, at).some((a) => !IP_OPTIONS.has(a)) || !IP_OBJECTS.has(args[at]!)) refuse(`ip ${String(args[at])} is not allowed`);
  const rest = args.slice(at + 1);
  // Show only: the verb, if any, is show/list, and the rest are device words.
  if (rest.length > 0 && rest[0] !== 'show' && rest[0] !== 'list') refuse('Only "ip ... show" is allowed');
  for (const a of rest.slice(1)) if (!/^[\w.@:-]+$/.test(a) || a.startsWith('-')) refuse(`ip argument ${JSON.stringify(a)} is not allowed`);
}

async function checkQemuImg(args: readonly string[], guard: PathGuard): Promise<readonly string[]> {
  const sub = args[0];
  if (sub !== 'info' && sub !== 'create') refuse(`qemu-img ${String(sub)} is not allowed`);
  const out = [...args];
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    // A backing file would let root read any file through the new image.
    if (a === '-b' || a === '-B' || a === '-F' || /backing/i.test(a)) refuse('qemu-img backing files are not allowed');
    if (a.startsWith('/')) out[i] = await guard.check(a, sub === 'create' ? 'nofollow' : 'follow');
  }
  return out;
}
