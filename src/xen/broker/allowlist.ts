import { lstat, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { plainNameProblem } from '../../shared/rules';
import { parseVifSpec } from '../../shared/vif-spec';
import { SpecSyntaxError } from '../../shared/validate-helpers';
import { checkConfigForRoot, diskFileUse, type CheckedConfig, type ConfigFileUse } from '../config/config-policy';
import { XenError } from '../errors';
import { checkDomainName } from '../ops/validate';
import { assertCommand } from '../runner/programs';
import type { XenProgram } from '../runner/types';
import { assertPooledQcow2, checkQemuOverlay } from './linked-images';
import { assertPlainFile, checkNfs, claimNewImage, refuse, checkQemuConvert, checkQemuSnapshot, checkStorage } from './allowlist-storage';
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

/** A disk declared qcow2 must be self-contained or a linked image on a base of the pools: the refusal names the field. */
async function checkQcow2Disk(f: ConfigFileUse, at: string, g: BrokerGuards): Promise<void> {
  try {
    await assertPooledQcow2(at, g);
  } catch (e) {
    if (!(e instanceof XenError)) throw e;
    throw new XenError(e.code, `${f.field}: ${e.message}`, { field: f.field, path: f.path, rule: 'backing' });
  }
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
      const at = await g.images.check(f.path, 'follow').catch((e: unknown) => Promise.reject(named(e, 'image_dir')));
      // Declared qcow2, its header decides what else Xen's qemu opens as root: a backing or data file (which a guest
      // could have written into a raw disk's first sector) is refused. A file not made yet is checked at xl create.
      if (f.kind === 'disk' && f.format === 'qcow2' && (await lstat(at).catch(() => null)) !== null) await checkQcow2Disk(f, at, g);
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
      if (args[0] === 'snapshot') return { program: p, args: await checkQemuSnapshot(args, guards) };
      if (args[0] === 'create' && args.includes('-b')) return { program: p, args: await checkQemuOverlay(args, guards) };
      return { program: p, args: args[0] === 'convert' ? await checkQemuConvert(args, guards) : await checkQemuImg(args, guards.images) };
    case 'df':
    case 'lsblk':
    case 'vgs':
    case 'lvs':
    case 'lvcreate':
    case 'lvconvert':
    case 'lvremove':
    case 'lvextend':
    case 'lvreduce':
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
      if (rest[0] === '-n' && rest[1] === DRY_RUN_NO_FILE) {
        await checkXlDryRunLines(rest.slice(2), g);
        break;
      }
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

/** xl reads the whole config from its KEY=VALUE arguments when the file is /dev/null (xl_vmcontrol.c, create_domain). */
const DRY_RUN_NO_FILE = '/dev/null';

/**
 * xl create -n /dev/null LINE...: a dry run of a config not written anywhere, each argument one line of it. Only the
 * canonical text a config.create would write passes (one `key = value` per line, exactly as root renders it), checked
 * as a whole like a file xl create starts, though xl -n only parses it.
 */
async function checkXlDryRunLines(lines: readonly string[], g: BrokerGuards): Promise<void> {
  if (lines.length === 0) refuse('xl create -n /dev/null needs the config as KEY = VALUE lines');
  const text = `${lines.join('\n')}\n`;
  if (lines.some((l) => l.includes('\n'))) refuse('each argument of xl create -n /dev/null must be one line of config');
  const checked = await checkConfigText(text, g);
  if (checked.text !== text) refuse('the config lines of xl create -n /dev/null must be in canonical form (one "key = value" per line)');
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
// neigh: dom0's neighbour table, read to find guests' addresses by MAC.
const IP_OBJECTS = new Set(['link', 'addr', 'address', 'route', 'neigh']);

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
    } else if (a === '--shrink' && sub === 'resize' && i === 1) {
      // Shrinking: the app asks only after the user confirmed, for a volume no domain uses.
    } else if (!/^(-q|-f|--|--output=json|json|qcow2|raw|\d+[KMGT]?)$/.test(a)) {
      // (--shrink is not in the list: qemu-img refuses to shrink without it, so the broker only ever grows an image.)
      refuse(`qemu-img argument ${JSON.stringify(a)} is not allowed`);
    }
  }
  if (target === null) refuse('qemu-img needs an image path inside an image directory');
  if (sub === 'create') await claimNewImage(out[target!]!);
  // resize writes the file: a plain file of the pool, never a link planted there.
  if (sub === 'resize') await assertPlainFile(out[target!]!);
  return out;
}

