import * as path from 'node:path';
import { CfgError, parseCfgText, simConfigFromCfg, type CfgValue } from './cfg';
import { yajlStringify } from './format';
import { DELAYS, REASON, SimFailure } from './host';
import { domainConfigJson } from './json';
import { xlParseWarnings } from './xl-warnings';
import type { SimDomain, SimDomainConfig } from './model';
import { ok, usage, opts, hostPath, SAVE_MAGIC, type SimResult, type XlContext, type XlHandler } from './xl-common';

// The simulator's lifecycle subcommands: create, shutdown, reboot, destroy, pause, unpause, sysrq, save, restore, rename.

async function readConfig(ctx: XlContext, file: string): Promise<{ text: string; shown: string }> {
  // As in xl: /dev/null means the whole config comes from the KEY=VALUE arguments.
  if (file === '/dev/null') return { text: '', shown: file };
  const candidates = file.startsWith('/') ? [file] : [hostPath(file), path.posix.join('/etc/xen', file)];
  for (const c of candidates) {
    try {
      return { text: await ctx.fs.readFile(c), shown: file };
    } catch {
      // Try the next place xl looks.
    }
  }
  throw new SimFailure(`Parsing config from ${file}\nFailed to read config file: ${file}: No such file or directory\n`, 3);
}

export async function create(ctx: XlContext, args: readonly string[], dryRunGlobal: boolean): Promise<SimResult> {
  const { flags, pos } = opts(args, ['-f']);
  // Every argument with a "=" in it is a line of config, as in xl's main_create.
  const extra = pos.filter((p) => p.includes('='));
  const file = pos.find((p) => !extra.includes(p)) ?? usage('create', 1);
  const { text, shown } = await readConfig(ctx, file);
  let stderr = `Parsing config from ${shown}\n`;
  let config: SimDomainConfig;
  try {
    const parsed = parseCfgText(text, shown);
    // Trailing key=value arguments override the file, as with xl.
    for (const e of extra) Object.assign(parsed, parseCfgText(e, '<command line>'));
    config = simConfigFromCfg(parsed, `${shown}:${ctx.host.state.nextDomid}:${ctx.host.now()}`);
    stderr += xlParseWarnings(parsed, config.type === 'hvm').map((w) => `${w}\n`).join('');
  } catch (e) {
    if (e instanceof CfgError) throw new SimFailure(`${stderr}${e.message}\nFailed to parse config: Invalid argument\n`, 1);
    throw e;
  }
  if (flags.has('-n') || dryRunGlobal) return ok(`${yajlStringify(domainConfigJson(config, null))}\n`, stderr);
  let missingDisk: string | undefined;
  for (const d of config.disks) {
    // Block devices cannot exist on the demo host, so only image files are checked.
    if (d.cdrom || !d.target.startsWith('/') || d.target.startsWith('/dev/')) continue;
    if ((await ctx.fs.stat(d.target).catch(() => null)) === null) {
      missingDisk = d.target;
      break;
    }
  }
  await ctx.sleep(ctx.host.delay(1000));
  ctx.host.tick();
  try {
    ctx.host.createDomain(config, missingDisk === undefined ? { paused: flags.has('-p') } : { paused: flags.has('-p'), missingDisk });
  } catch (e) {
    if (e instanceof SimFailure) throw new SimFailure(stderr + e.stderr, e.exitCode);
    throw e;
  }
  return ok('', stderr);
}

export async function shutdownOrReboot(ctx: XlContext, cmd: 'shutdown' | 'reboot', args: readonly string[]): Promise<SimResult> {
  const { host } = ctx;
  const { flags, pos } = opts(args);
  const all = flags.has('-a') || flags.has('--all');
  const targets: SimDomain[] = all ? host.state.domains.filter((d) => d.phase === 'running' || d.phase === 'paused') : [host.resolveDomU(pos[0] ?? usage(cmd, 1), `libxl_domain_${cmd}`)];
  let stderr = '';
  for (const d of targets) {
    stderr += cmd === 'shutdown' ? `Shutting down domain ${d.domid}\n` : `Rebooting domain ${d.domid}\n`;
    host.requestShutdown(d, cmd === 'shutdown' ? REASON.poweroff : REASON.reboot);
  }
  if (flags.has('-w') || flags.has('--wait')) {
    stderr += `Waiting for ${targets.length} domains\n`;
    const ids = targets.map((d) => d.domid);
    const deadline = Date.now() + host.delay(DELAYS.halt) * 20 + 5000;
    const waiting = new Set(targets);
    while (waiting.size > 0 && Date.now() < deadline) {
      await ctx.sleep(Math.max(5, host.delay(50)));
      host.tick();
      for (const d of [...waiting]) {
        const gone = !host.state.domains.includes(d) || d.domid !== ids[targets.indexOf(d)];
        if (gone || d.phase === 'shutdown') {
          waiting.delete(d);
          const id = ids[targets.indexOf(d)] ?? d.domid;
          stderr += cmd === 'shutdown' ? `Domain ${id} has been shut down, reason code ${REASON.poweroff}\n` : `Domain ${id} has been rebooted\n`;
        }
      }
    }
  }
  return ok('', stderr);
}

export async function save(ctx: XlContext, args: readonly string[]): Promise<SimResult> {
  const { flags, pos } = opts(args);
  const [ident, file] = pos;
  if (ident === undefined || file === undefined) usage('save', 2);
  const d = ctx.host.resolveDomU(ident, 'libxl_domain_suspend');
  const hp = hostPath(file);
  // xl opens the file before writing anything (xl_saverestore.c); a missing folder ends it there, in these words.
  const folder = await ctx.fs.stat(hp.slice(0, hp.lastIndexOf('/')) || '/');
  if (folder === null || !folder.isDirectory) throw new SimFailure(`Failed to open temp file ${file} for writing\n`, 1);
  const frames = d.config.maxMemMiB * 256;
  let stderr = `Saving to ${file} new xl format (info 0x3/0x0/1200)\nxc: info: Saving domain ${d.domid}, type x86 ${d.config.type === 'pv' ? 'PV' : 'HVM'}\n`;
  for (let k = 1; k <= 16; k++) {
    const done = Math.round((frames * k) / 16);
    stderr += `xc: progress: Frames: ${done}/${frames} ${String(Math.floor((done * 100) / frames)).padStart(4)}%\n`;
  }
  stderr += 'xc: progress: End of stream: 0/0    0%\n';
  ctx.host.settle(d);
  const body = JSON.stringify({ config: d.config, targetKiB: d.targetKiB, onlineVcpus: d.onlineVcpus, cpuS: d.cpuBase, uptimeS: ctx.host.uptimeOf(d), affinity: d.affinity });
  await ctx.fs.replaceFile(hp, `${SAVE_MAGIC}${body}\n`);
  await ctx.sleep(ctx.host.delay(800));
  if (flags.has('-p')) {
    // -p leaves the domain paused (with or without -c), as xl_saverestore.c does before resuming it.
    d.phase = 'paused';
    ctx.host.persist();
  } else if (!flags.has('-c')) {
    ctx.host.remove(d);
    ctx.host.persist();
  }
  return ok('', stderr);
}

interface SaveBody {
  config: SimDomainConfig;
  targetKiB: number;
  onlineVcpus: number;
  cpuS: number;
  uptimeS: number;
  affinity: string[];
}

export async function restore(ctx: XlContext, args: readonly string[]): Promise<SimResult> {
  const { flags, pos } = opts(args);
  const file = pos[0] ?? usage('restore', 1);
  let text: string;
  try {
    text = await ctx.fs.readFile(hostPath(file));
  } catch {
    throw new SimFailure(`Can't open restore file: No such file or directory\n`, 3);
  }
  if (!text.startsWith(SAVE_MAGIC)) throw new SimFailure('File has wrong magic number - corrupt or for a different tool?\n', 3);
  let body: SaveBody;
  try {
    body = JSON.parse(text.slice(SAVE_MAGIC.length)) as SaveBody;
  } catch {
    throw new SimFailure('Savefile has truncated xl domain config\n', 3);
  }
  let stderr = `Loading new save file ${file} (new xl fmt info 0x3/0x0/1200)\n Savefile contains xl domain config in JSON format\nParsing config from <saved>\n`;
  await ctx.sleep(ctx.host.delay(800));
  ctx.host.tick();
  let d: SimDomain;
  try {
    d = ctx.host.createDomain(body.config, { paused: flags.has('-p'), cpuS: body.cpuS, consoleFresh: false });
  } catch (e) {
    if (e instanceof SimFailure) throw new SimFailure(stderr + e.stderr, e.exitCode);
    throw e;
  }
  d.targetKiB = body.targetKiB;
  d.onlineVcpus = body.onlineVcpus;
  d.ioBaseS = body.uptimeS;
  if (Array.isArray(body.affinity)) d.affinity = body.affinity;
  ctx.host.persist();
  stderr += `xc: info: Found x86 ${body.config.type === 'pv' ? 'PV' : 'HVM'} domain from Xen 4.17\nxc: info: Restoring domain\nxc: info: Restore successful\nxc: info: XenStore: mfn 0x7f2b1, dom 0, evt 1\nxc: info: Console: mfn 0x7f2b0, dom 0, evt 2\n`;
  return ok('', stderr);
}

/** Parses `key=value` words (xl create's trailing overrides) into cfg values. */
export function cfgFromWords(words: readonly string[]): Record<string, CfgValue> {
  return Object.assign({}, ...words.map((w) => parseCfgText(w, '<command line>'))) as Record<string, CfgValue>;
}

/** `xl destroy DOM`. */
export const destroy: XlHandler = (ctx, args, { cmd }) => {
  const { host } = ctx;
  const ident = opts(args).pos[0] ?? usage(cmd, 1);
  if (host.resolve(ident) === 'dom0') throw new SimFailure('Cannot destroy privileged domain 0.\n\n', 1);
  const d = host.resolveDomU(ident, 'libxl_domain_destroy');
  host.remove(d);
  host.persist();
  return ok();
};

/** `xl pause DOM` and `xl unpause DOM`. */
export const pauseUnpause: XlHandler = (ctx, args, { cmd }) => {
  const { host } = ctx;
  const d = host.resolveDomU(args[0] ?? usage(cmd, 1), `libxl_domain_${cmd}`);
  if (cmd === 'pause' && d.phase === 'running') {
    host.settle(d);
    d.phase = 'paused';
  } else if (cmd === 'unpause') host.unpause(d);
  host.persist();
  return ok();
};

/** `xl sysrq DOM KEY`: xl writes control/sysrq in the guest's xenstore; a domain not running has no kernel to read it. */
export const sysrq: XlHandler = (ctx, args, { cmd }) => {
  const [ident, key] = args;
  if (ident === undefined || key === undefined || key.length !== 1) usage(cmd, 2);
  const d = ctx.host.resolveDomU(ident, 'libxl_send_sysrq');
  if (d.phase !== 'running' && d.phase !== 'paused') throw new SimFailure(`libxl: error: libxl_domain.c:1680:libxl_send_sysrq: Domain ${d.domid}:domain is not running\n`, 1);
  return ok();
};

/** `xl rename DOM NEWNAME`. */
export const rename: XlHandler = (ctx, args, { cmd }) => {
  const { host } = ctx;
  const [ident, newName] = args;
  if (ident === undefined || newName === undefined) usage(cmd, 2);
  const d = host.resolveDomU(ident, 'libxl_domain_rename');
  if (newName === 'Domain-0' || host.state.domains.some((x) => x !== d && x.config.name === newName)) {
    throw new SimFailure(
      `libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain ${d.domid}:Domain with name "${newName}" already exists.\nCan't rename domain '${ident}'.\n`,
      1,
    );
  }
  d.config.name = newName;
  host.persist();
  return ok();
};
