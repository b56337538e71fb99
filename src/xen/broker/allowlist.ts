import { lstat, open, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { absPathProblem, plainNameProblem } from '../../shared/rules';
import { vgNameProblem, volumeNameProblem } from '../../shared/storage';
import { parseVifSpec } from '../../shared/vif-spec';
import { SpecSyntaxError } from '../../shared/validate-helpers';
import { checkConfigForRoot, diskFileUse, type CheckedConfig, type ConfigFileUse } from '../config/config-policy';
import { XenError } from '../errors';
import { checkDomainName } from '../ops/validate';
import { assertCommand } from '../runner/programs';
import type { XenProgram } from '../runner/types';
import { checkFreeBlockDevice, type BlockDeviceEnv } from './block-devices';
import { createPathGuard, type FinalComponent, type PathGuard } from './paths';
import { BROKER_POLICY_FILE, type BrokerPolicy } from './policy';

/** The broker's policy turned into path guards, one per kind of file root touches for Xenith. */
export interface BrokerGuards {
  readonly policy: BrokerPolicy;
  /** Where config files may be read (the config and autostart directories). */
  readonly configRead: PathGuard;
  readonly config: PathGuard;
  readonly auto: PathGuard;
  readonly save: PathGuard;
  readonly images: PathGuard;
  readonly boot: PathGuard;
  /** Everything above: what may be listed, stat'ed and measured. */
  readonly any: PathGuard;
  readonly blockEnv?: BlockDeviceEnv;
}

/** Builds the guards for `policy`. */
export function createGuards(policy: BrokerPolicy, blockEnv?: BlockDeviceEnv): BrokerGuards {
  return {
    policy,
    configRead: createPathGuard([policy.configDir, policy.autoDir]),
    config: createPathGuard([policy.configDir]),
    auto: createPathGuard([policy.autoDir]),
    save: createPathGuard([policy.saveDir]),
    images: createPathGuard(policy.imageDirs),
    boot: createPathGuard(policy.bootDirs),
    any: createPathGuard([policy.configDir, policy.autoDir, policy.saveDir, ...policy.imageDirs, ...policy.bootDirs]),
    ...(blockEnv !== undefined ? { blockEnv } : {}),
  };
}

/** xl create options that only change how the domain starts (-p paused, -n dry run, -c console, -e, -d, -q, -V). */
const XL_CREATE_FLAGS = new Set(['-p', '-n', '-c', '-e', '-d', '-q', '-V']);
/** A config Xenith writes: NAME.cfg directly in the config directory. */
const CONFIG_FILE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.cfg$/;

const refuse = (msg: string, detail: Record<string, unknown> = {}): never => {
  throw new XenError('INVALID_ARG', msg, { field: 'args', ...detail });
};

/** How to widen the policy, for refusals a root administrator can lift. */
const widen = (key: string): string => `(root can allow more with "${key} = DIR" in ${BROKER_POLICY_FILE})`;

/** A config file path: NAME.cfg directly inside the config directory (never xl.conf, scripts/ or a subdirectory). */
export async function checkConfigFile(p: unknown, g: BrokerGuards, final: FinalComponent): Promise<string> {
  const resolved = await g.config.check(p, final);
  const dir = await g.config.check(g.policy.configDir, 'follow');
  if (path.posix.dirname(resolved) !== dir || !CONFIG_FILE.test(path.posix.basename(resolved))) {
    throw new XenError('PERMISSION', `${String(p)} is not a NAME.cfg file directly in ${g.policy.configDir}`, { field: 'path', path: p, rule: 'config-file' });
  }
  // Writing or removing acts on the name itself: a link there is the administrator's, and is neither replaced nor
  // written through.
  if (final === 'nofollow' && (await lstat(resolved).catch(() => null))?.isSymbolicLink() === true) {
    throw new XenError('PERMISSION', `${String(p)} is a link; Xenith does not replace links`, { field: 'path', path: p, rule: 'config-file' });
  }
  return resolved;
}

/** Checks each host file a config names against the policy: images and free block devices, boot files, shares. */
export async function checkFileUses(files: readonly ConfigFileUse[], g: BrokerGuards): Promise<void> {
  for (const f of files) {
    const named = (e: unknown, key: string): XenError =>
      e instanceof XenError && e.code === 'PERMISSION' ? new XenError('PERMISSION', `${f.field}: ${e.message} ${widen(key)}`, { field: f.field, path: f.path, rule: key }) : (e as XenError);
    if (f.kind === 'boot') {
      await g.boot.check(f.path, 'follow').catch((e: unknown) => Promise.reject(named(e, 'boot_dir')));
    } else if (f.kind === 'disk' && f.path.startsWith('/dev/')) {
      await checkFreeBlockDevice(f.path, f.field, g.blockEnv);
    } else {
      await g.images.check(f.path, 'follow').catch((e: unknown) => Promise.reject(named(e, 'image_dir')));
    }
  }
}

/** Parses, checks and canonicalises config text root is asked to write or start. */
export async function checkConfigText(text: string, g: BrokerGuards): Promise<CheckedConfig> {
  const checked = checkConfigForRoot(text, { bootloaders: g.policy.bootloaders });
  await checkFileUses(checked.files, g);
  return checked;
}

/**
 * Checks a `run` request before the root broker starts anything: a known program, plain string arguments, and per
 * program only the read-only or Xenith-shaped uses. Files that xl, as root, would read or write (create's config and
 * everything it names, save/restore images, disk and CD targets, qemu-img targets) must lie inside the policy.
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
    case 'df':
    case 'lsblk':
    case 'vgs':
    case 'lvs':
    case 'lvcreate':
    case 'lvremove':
    case 'lvextend':
    case 'vgcreate':
      return { program: p, args: await checkStorage(p, args, guards) };
    case 'findmnt':
    case 'mount':
    case 'umount':
      return { program: p, args: checkNfs(p, args, guards) };
  }
}

/** A domain argument: a name by the one name rule, or a domid. */
function checkDomainArg(a: string | undefined): void {
  if (a === undefined || (!/^\d{1,5}$/.test(a) && !safeName(a))) refuse(`${JSON.stringify(a)} is not a domain name or ID`, { rule: 'domain-name' });
}

function safeName(a: string): boolean {
  try {
    checkDomainName(a);
    return true;
  } catch {
    return false;
  }
}

function specError(e: unknown): never {
  throw e instanceof SpecSyntaxError ? new XenError('INVALID_ARG', e.message, { field: 'args', rule: 'spec' }) : e;
}

async function checkXl(args: readonly string[], g: BrokerGuards): Promise<readonly string[]> {
  // Which subcommands run is the command table's to say: the broker builds every argv from it, so no other reaches
  // here. What follows checks the files and names the arguments make root touch.
  const at = args.findIndex((a) => !/^-v+$/.test(a)); // only -v/-vvv may come before the subcommand
  const sub = at === -1 ? undefined : args[at];
  if (sub === undefined || !/^[a-z][a-z0-9-]*$/.test(sub)) refuse(`xl ${String(sub)} is not a command`, { subcommand: sub });
  const rest = args.slice(at + 1);
  const out = [...args];
  const set = (i: number, v: string): void => void (out[at + 1 + i] = v);
  switch (sub) {
    case 'create': {
      const [i, file] = await checkXlCreate(rest, g);
      set(i, file);
      break;
    }
    case 'save':
    case 'restore': {
      const [i, file] = await checkXlSaveRestore(sub, rest, g);
      set(i, file);
      break;
    }
    case 'cd-insert': {
      // xl cd-insert <domain> <vdev> <target>: root opens the target.
      if (rest.length !== 3) refuse('xl cd-insert takes a domain, a device and an image');
      checkDomainArg(rest[0]);
      await checkFileUses([{ field: 'target', path: String(rest[2]), kind: 'disk', access: 'ro' }], g);
      break;
    }
    case 'block-attach': {
      if (rest.length !== 2) refuse('xl block-attach takes a domain and one disk specification');
      checkDomainArg(rest[0]);
      const use = diskFileUse(rest[1]!, 'disk');
      if (use !== null) await checkFileUses([use], g);
      break;
    }
    case 'network-attach': {
      checkDomainArg(rest[0]);
      for (const spec of rest.slice(1)) {
        try {
          const v = parseVifSpec(spec);
          if (v.script !== undefined && plainNameProblem(v.script) !== null) refuse('A vif script must be a name from /etc/xen/scripts', { rule: 'script-name' });
        } catch (e) {
          specError(e);
        }
      }
      break;
    }
    case 'rename':
      checkDomainArg(rest[0]);
      checkDomainArg(rest[1]);
      break;
    case 'console':
      checkConsoleArgs(rest);
      break;
  }
  return out;
}

/** xl create: known flags and exactly one config file; returns the file's index in `rest` and its checked path. */
async function checkXlCreate(rest: readonly string[], g: BrokerGuards): Promise<[number, string]> {
  // key=value overrides (bootloader=..., device_model_override=...) would let a caller run anything as root.
  const files = rest.map((a, i) => ({ a, i })).filter(({ a }) => !XL_CREATE_FLAGS.has(a));
  if (files.length !== 1) refuse('xl create takes known flags and exactly one config file');
  const { a, i } = files[0]!;
  const file = await checkConfigFile(a, g, 'follow');
  // What xl will obey as root is checked as a whole: the file only root can write, read here, now.
  await checkConfigText(await readFile(file, 'utf8'), g);
  return [i, file];
}

/** xl save DOMAIN FILE / xl restore FILE; returns the file's index in `rest` and its checked path. */
async function checkXlSaveRestore(sub: 'save' | 'restore', rest: readonly string[], g: BrokerGuards): Promise<[number, string]> {
  // A save file carries the domain's config, which restore obeys as root: only the save directory.
  const file = rest.filter((x) => !x.startsWith('-'));
  const fileAt = sub === 'save' ? 1 : 0;
  if (sub === 'save') checkDomainArg(file[0]);
  const f = file[fileAt];
  if (f === undefined) refuse(`xl ${sub} needs a file in ${g.policy.saveDir}`);
  const i = rest.indexOf(f as string);
  const checked = await g.save.check(f, sub === 'save' ? 'nofollow' : 'follow');
  if (sub === 'save' && (await lstat(checked).catch(() => null)) !== null) {
    throw new XenError('EXISTS', `${f} already exists`, { field: 'path', path: f });
  }
  return [i, checked];
}

/** xl console [-t pv|serial] [-n N] DOMAIN. */
function checkConsoleArgs(rest: readonly string[]): void {
  const r = [...rest];
  while (r.length > 1) {
    const [flag, v] = r.splice(0, 2);
    if (!((flag === '-t' && (v === 'pv' || v === 'serial')) || (flag === '-n' && /^\d{1,2}$/.test(v ?? '')))) refuse(`xl console ${flag} ${v} is not allowed`);
  }
  checkDomainArg(r[0]);
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

/**
 * qemu-img --version, info on an image, or create of a new qcow2/raw image in an image directory. create writes
 * through whatever is at its path, so the broker first makes that path itself (O_EXCL, never through a link), or
 * accepts the empty regular file the caller made the same way.
 */
async function checkQemuImg(args: readonly string[], guard: PathGuard): Promise<readonly string[]> {
  const sub = args[0];
  if (args.length === 1 && sub === '--version') return args;
  if (sub !== 'info' && sub !== 'create' && sub !== 'resize') refuse(`qemu-img ${String(sub)} is not allowed`);
  const out = [...args];
  let target: number | null = null;
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    // A backing file would let root read any file through the new image; -o could name one too.
    if (a === '-b' || a === '-B' || a === '-F' || a === '-o' || /backing/i.test(a)) refuse('qemu-img backing files and -o options are not allowed');
    if (a.startsWith('/')) {
      if (target !== null) refuse('qemu-img takes one image path');
      // create and resize write the file itself: never through a link.
      out[i] = await guard.check(a, sub === 'info' ? 'follow' : 'nofollow');
      target = i;
    } else if (!/^(-q|-f|--|--output=json|json|qcow2|raw|\d+[KMGT]?)$/.test(a)) {
      // (--shrink is not in the list: qemu-img refuses to shrink without it, so the broker only ever grows an image.)
      refuse(`qemu-img argument ${JSON.stringify(a)} is not allowed`);
    }
  }
  if (target === null) refuse('qemu-img needs an image path inside an image directory');
  if (sub === 'create') await claimNewImage(out[target!]!);
  return out;
}

async function claimNewImage(p: string): Promise<void> {
  const st = await lstat(p).catch(() => null);
  if (st === null) {
    await (await open(p, 'wx', 0o600)).close();
    return;
  }
  if (!st.isFile() || st.size !== 0 || st.nlink !== 1) throw new XenError('EXISTS', `${p} already exists`, { field: 'path', path: p });
}

/** The fixed argv of the read-only storage reports, exactly as the command table builds them. */
const FIXED_READS: Partial<Record<XenProgram, readonly string[]>> = {
  lsblk: ['-J', '-b', '-o', 'PATH,SIZE,TYPE,MODEL,MOUNTPOINT,FSTYPE,PKNAME'],
  vgs: ['--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,vg_size,vg_free'],
  lvs: ['--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'lv_name,vg_name,lv_size,lv_attr,pool_lv,data_percent'],
};

const sameArgv = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Refuses a volume group that is not a pool: outside the policy, like a path outside its directories. */
function notAPool(vg: string, g: BrokerGuards): void {
  if (!g.policy.vgs.includes(vg)) throw new XenError('PERMISSION', `Volume group ${vg} is not a storage pool`, { field: 'vg', rule: 'pool-vg' });
}

/** VG/LV naming a logical volume in a volume group that is a pool. */
function checkLvRef(ref: string | undefined, g: BrokerGuards): void {
  const [vg, lv, extra] = (ref ?? '').split('/');
  if (extra !== undefined || vg === undefined || lv === undefined || vgNameProblem(vg) !== null || volumeNameProblem(lv) !== null) {
    refuse(`${JSON.stringify(ref)} is not VG/LV`, { rule: 'lv-name' });
  }
  notAPool(vg!, g);
}

/**
 * Storage commands: df of absolute paths; lsblk, vgs and lvs with their fixed report options; lvcreate, lvextend and
 * lvremove only inside a volume group that is a pool (and never with -f: LVM refuses to remove an open volume);
 * vgcreate only on a whole block device dom0 does not use, under a name that is not yet a volume group.
 */
async function checkStorage(p: XenProgram, args: readonly string[], g: BrokerGuards): Promise<readonly string[]> {
  const fixed = FIXED_READS[p];
  if (fixed !== undefined) {
    if (!sameArgv(args, fixed)) refuse(`${p} takes only Xenith's report options`);
    return args;
  }
  const end = args.indexOf('--');
  const flags = end === -1 ? args : args.slice(0, end);
  const rest = end === -1 ? [] : args.slice(end + 1);
  switch (p) {
    case 'df':
      if (!sameArgv(flags, ['-B1', '--output=target,size,used,avail']) || rest.length === 0) refuse('df takes only Xenith\'s options and paths');
      for (const x of rest) if (absPathProblem(x) !== null) refuse(`df path ${JSON.stringify(x)} is not an absolute path`);
      return args;
    case 'lvcreate':
      return checkLvcreate(args, g);
    case 'lvremove':
      if (!sameArgv(flags, ['-q', '-y']) || rest.length !== 1) refuse('lvremove takes -q -y and one VG/LV');
      checkLvRef(rest[0], g);
      return args;
    case 'lvextend':
      if (flags.length !== 3 || flags[0] !== '-q' || flags[1] !== '-L' || !/^\d{1,16}b$/.test(flags[2] ?? '') || rest.length !== 1) refuse('lvextend takes -q -L SIZEb and one VG/LV');
      checkLvRef(rest[0], g);
      return args;
    case 'vgcreate': {
      if (!sameArgv(flags, ['-q', '-y']) || rest.length !== 2 || vgNameProblem(rest[0] ?? '') !== null) refuse('vgcreate takes -q -y, a name and one device');
      const device = await checkFreeBlockDevice(rest[1]!, 'device', g.blockEnv);
      return [...flags, '--', rest[0]!, device];
    }
    default:
      return refuse(`${p} is not allowed`);
  }
}

/** lvcreate -q -y -W y -Z y -n NAME -L SIZEb -- VG, or thin: -q -y -n NAME -V SIZEb -T VG/POOL. */
function checkLvcreate(args: readonly string[], g: BrokerGuards): readonly string[] {
  const name = args[args.indexOf('-n') + 1];
  const plain = sameArgv(args.slice(0, 6), ['-q', '-y', '-W', 'y', '-Z', 'y']) && args[6] === '-n' && args[8] === '-L' && args[10] === '--' && args.length === 12;
  const thin = sameArgv(args.slice(0, 2), ['-q', '-y']) && args[2] === '-n' && args[4] === '-V' && args[6] === '-T' && args.length === 8;
  if (!plain && !thin) refuse('lvcreate takes only Xenith\'s options');
  if (name === undefined || volumeNameProblem(name) !== null) refuse(`${JSON.stringify(name)} is not a volume name`, { rule: 'lv-name' });
  if (!/^\d{1,16}b$/.test((plain ? args[9] : args[5]) ?? '')) refuse('lvcreate size must be bytes');
  if (plain) {
    notAPool(args[11]!, g);
  } else {
    checkLvRef(args[7], g);
  }
  return args;
}

/**
 * NFS: findmnt with its fixed report options; mount of exactly a pool's export at exactly that pool's mount point
 * (nosuid,nodev: nothing on the share runs as root or acts as a device); umount of a pool's mount point only.
 */
function checkNfs(p: XenProgram, args: readonly string[], g: BrokerGuards): readonly string[] {
  if (p === 'findmnt') {
    if (!sameArgv(args, ['-J', '-t', 'nfs,nfs4', '-o', 'TARGET,SOURCE,FSTYPE'])) refuse('findmnt takes only Xenith\'s report options');
    return args;
  }
  if (p === 'mount') {
    if (args.length !== 7 || !sameArgv(args.slice(0, 5), ['-t', 'nfs', '-o', 'nosuid,nodev', '--'])) refuse('mount takes only -t nfs -o nosuid,nodev, an export and a mount point');
    if (!g.policy.nfs.some((n) => n.source === args[5] && n.path === args[6])) {
      throw new XenError('PERMISSION', `${args[5]} at ${args[6]} is not an NFS storage pool`, { field: 'path', rule: 'pool-nfs' });
    }
    return args;
  }
  if (args.length !== 2 || args[0] !== '--') refuse('umount takes one mount point');
  if (!g.policy.nfs.some((n) => n.path === args[1])) throw new XenError('PERMISSION', `${args[1]} is not the mount point of an NFS storage pool`, { field: 'path', rule: 'pool-nfs' });
  return args;
}
