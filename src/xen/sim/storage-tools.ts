import { openSync, closeSync, ftruncateSync, mkdirSync, readSync, readdirSync, renameSync, writeSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { HostFs, RunResult } from '../runner/types';
import { SimFailure, type SimHost } from './host';
import { EXTENT, extents, lvOpen, type SimLv, type SimStorage } from './storage';
import { simLvSnapshot, simQemuSnapshot } from './storage-snapshots';

/** What the demo host's storage programs act on. */
export interface StorageTools {
  readonly host: SimHost;
  readonly fs: HostFs;
  readonly storage: SimStorage;
  /** The sandbox path of a host path. */
  local(p: string): string;
}

const ok = (stdout: string, stderr = ''): RunResult => ({ stdout, stderr, exitCode: 0 });
const usage = (p: string): never => {
  throw new SimFailure(`${p}: the demo host answers only the options Xenith uses\n`, 3);
};

/** LVM's JSON report layout, as `vgs --reportformat json` prints it. */
function lvmReport(key: 'vg' | 'lv', rows: Record<string, string>[]): string {
  const body = rows.map((r) => `                  {${Object.entries(r).map(([k, v]) => `"${k}":"${v}"`).join(', ')}}`).join(',\n');
  return `  {\n      "report": [\n          {\n              "${key}": [\n${body}${rows.length ? '\n' : ''}              ]\n          }\n      ]\n  }\n`;
}

export function simVgs(t: StorageTools): RunResult {
  const s = t.storage;
  return ok(lvmReport('vg', s.state.vgs.map((v) => ({ vg_name: v.name, vg_size: String(v.size), vg_free: String(v.size - s.used(v.name)) }))));
}

export function simLvs(t: StorageTools): RunResult {
  const rows = [...t.storage.state.lvs]
    .sort((a, b) => a.vg.localeCompare(b.vg) || a.name.localeCompare(b.name))
    .map((l) => ({
      lv_name: l.name,
      vg_name: l.vg,
      lv_size: String(l.size),
      // The sixth letter is "o" while a guest has the volume open.
      lv_attr: lvAttr(t, l),
      pool_lv: l.pool,
      data_percent: l.attr.startsWith('-') ? '' : '0.00',
    }));
  return ok(lvmReport('lv', rows));
}

/** The attributes lvs prints: "o" first for an origin of snapshots, "o" sixth while a guest has the volume open. */
function lvAttr(t: StorageTools, l: SimLv): string {
  const origin = !l.attr.startsWith('V') && t.storage.state.lvs.some((x) => x.vg === l.vg && x.origin === l.name && x.attr.startsWith('s'));
  const a = origin ? `o${l.attr.slice(1, 6)}s${l.attr.slice(7)}` : l.attr;
  return lvOpen(t.host, l) ? `${a.slice(0, 5)}o${a.slice(6)}` : a;
}

/** lvcreate -q -y -W y -Z y -n NAME -L SIZEb -- VG, or -q -y -n NAME -V SIZEb -T VG/POOL. */
export function simLvcreate(t: StorageTools, args: readonly string[]): RunResult {
  if (args.includes('-s')) return simLvSnapshot(t, args);
  const name = args[args.indexOf('-n') + 1] ?? usage('lvcreate');
  const thin = args.includes('-T');
  const size = extents(Number((args[args.indexOf(thin ? '-V' : '-L') + 1] ?? '').replace(/b$/, '')));
  const [vgName, pool] = thin ? (args[args.indexOf('-T') + 1] ?? '').split('/') : [args[args.length - 1]];
  const vg = t.storage.vg(vgName ?? '');
  if (t.storage.state.lvs.some((l) => l.vg === vg.name && l.name === name)) throw new SimFailure(`  Logical Volume "${name}" already exists in volume group "${vg.name}"\n`, 5);
  const free = vg.size - t.storage.used(vg.name);
  if (!thin && size > free) {
    throw new SimFailure(`  Volume group "${vg.name}" has insufficient free space (${free / EXTENT} extents): ${size / EXTENT} required.\n`, 5);
  }
  if (thin) t.storage.lv(`${vg.name}/${pool}`);
  t.storage.state.lvs.push({ vg: vg.name, name, size, attr: thin ? 'Vwi-a-tz--' : '-wi-a-----', pool: thin ? (pool ?? '') : '' });
  t.storage.persist();
  return ok('', `  Logical volume "${name}" created.\n`);
}

export function simLvremove(t: StorageTools, args: readonly string[]): RunResult {
  const ref = args[args.length - 1] ?? usage('lvremove');
  const l = t.storage.lv(ref);
  if (lvOpen(t.host, l)) throw new SimFailure(`  Logical volume ${ref} in use.\n`, 5);
  if (t.storage.state.lvs.some((x) => x.vg === l.vg && x.pool === l.name)) throw new SimFailure(`  Removing pool "${l.name}" will remove its thin volumes; Xenith does not.\n`, 5);
  t.storage.state.lvs = t.storage.state.lvs.filter((x) => x !== l);
  t.storage.persist();
  return ok('', `  Logical volume "${l.name}" successfully removed.\n`);
}

export function simLvextend(t: StorageTools, args: readonly string[]): RunResult {
  const ref = args[args.length - 1] ?? usage('lvextend');
  const l = t.storage.lv(ref);
  const size = extents(Number((args[args.indexOf('-L') + 1] ?? '').replace(/b$/, '')));
  if (size <= l.size) throw new SimFailure(`  New size given (${size / EXTENT} extents) not larger than existing size (${l.size / EXTENT} extents)\n`, 5);
  const vg = t.storage.vg(l.vg);
  const free = vg.size - t.storage.used(vg.name);
  if (!l.attr.startsWith('V') && size - l.size > free) throw new SimFailure(`  Insufficient free space: ${(size - l.size) / EXTENT} extents needed, but only ${free / EXTENT} available\n`, 5);
  const old = l.size;
  l.size = size;
  t.storage.persist();
  return ok('', `  Size of logical volume ${ref} changed from ${old / 1024 ** 2} MiB to ${size / 1024 ** 2} MiB.\n  Logical volume ${ref} successfully resized.\n`);
}

export function simLvreduce(t: StorageTools, args: readonly string[]): RunResult {
  const ref = args[args.length - 1] ?? usage('lvreduce');
  const l = t.storage.lv(ref);
  const size = extents(Number((args[args.indexOf('-L') + 1] ?? '').replace(/b$/, '')));
  if (size >= l.size) throw new SimFailure(`  New size (${size / EXTENT} extents) matches existing size (${l.size / EXTENT} extents).\n`, 5);
  if (lvOpen(t.host, l)) throw new SimFailure(`  Logical volume ${ref} in use.\n`, 5);
  const old = l.size;
  l.size = size;
  t.storage.persist();
  return ok('', `  WARNING: Reducing active logical volume to ${size / 1024 ** 2} MiB.\n  Size of logical volume ${ref} changed from ${old / 1024 ** 2} MiB to ${size / 1024 ** 2} MiB.\n  Logical volume ${ref} successfully resized.\n`);
}

export function simVgcreate(t: StorageTools, args: readonly string[]): RunResult {
  const [name, device] = args.slice(-2);
  const d = t.storage.state.devices.find((x) => x.path === device);
  if (!d || name === undefined) throw new SimFailure(`  No device found for ${device}.\n`, 5);
  if (t.storage.state.vgs.some((v) => v.name === name)) throw new SimFailure(`  A volume group called ${name} already exists.\n`, 5);
  if (d.fstype === 'LVM2_member') throw new SimFailure(`  Physical volume '${device}' is already in volume group.\n`, 5);
  if (d.fstype !== null || d.mountpoint !== null || d.parts.length > 0) throw new SimFailure(`  Cannot use ${device}: device is partitioned or in use\n`, 5);
  d.fstype = 'LVM2_member';
  t.storage.state.vgs.push({ name, size: Math.floor(d.size / EXTENT) * EXTENT - EXTENT, pvs: [d.path] });
  t.storage.persist();
  return ok('', `  Physical volume "${device}" successfully created.\n  Volume group "${name}" successfully created\n`);
}

export function simLsblk(t: StorageTools): RunResult {
  const row = (p: string, size: number, type: string, model: string | null, mount: string | null, fs: string | null, parent: string | null): string =>
    `      {\n         "path": "${p}",\n         "size": ${size},\n         "type": "${type}",\n         "model": ${model === null ? 'null' : `"${model}"`},\n` +
    `         "mountpoint": ${mount === null ? 'null' : `"${mount}"`},\n         "fstype": ${fs === null ? 'null' : `"${fs}"`},\n         "pkname": ${parent === null ? 'null' : `"${parent}"`}\n      }`;
  const rows: string[] = [];
  for (const d of t.storage.state.devices) {
    rows.push(row(d.path, d.size, d.path.startsWith('/dev/sr') ? 'rom' : 'disk', d.model, d.mountpoint, d.fstype, null));
    for (const p of d.parts) rows.push(row(p.path, p.size, 'part', null, p.mountpoint, p.fstype, d.path.slice(5)));
  }
  for (const l of t.storage.state.lvs.filter((x) => !x.attr.startsWith('t'))) {
    rows.push(row(`/dev/mapper/${l.vg}-${l.name}`, l.size, 'lvm', null, null, null, t.storage.vg(l.vg).pvs[0]!.slice(5)));
  }
  return ok(`{\n   "blockdevices": [\n${rows.join(',')}\n   ]\n}\n`);
}

/** df -B1 --output=target,size,used,avail -- PATH...: one 2 TiB filesystem at /, filled by the images on it. */
export async function simDf(t: StorageTools, args: readonly string[]): Promise<RunResult> {
  const paths = args.slice(args.indexOf('--') + 1);
  const size = 2 * 1024 ** 4;
  let lines = 'Mounted on    1B-blocks         Used        Avail\n';
  let stderr = '';
  for (const p of paths) {
    const st = await t.fs.stat(p).catch(() => null);
    if (st === null) {
      stderr += `df: ${p}: No such file or directory\n`;
      continue;
    }
    const files = await t.fs.probeImages(p).catch(() => []);
    // Under an NFS mount: the NAS's 4 TiB share; elsewhere dom0's 2 TiB root filesystem.
    const nfs = (t.storage.state.mounts ?? []).find((m) => p === m.path || p.startsWith(`${m.path}/`));
    const total = nfs ? 2 * size : size;
    const used = (nfs ? 1200 : 180) * 1024 ** 3 + files.reduce((n, f) => n + f.allocated, 0);
    lines += `${nfs ? nfs.path : '/'}          ${total} ${used} ${total - used}\n`;
  }
  return { stdout: lines, stderr, exitCode: stderr === '' ? 0 : 1 };
}

function statSafe(file: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

/**
 * The qcow2 header fields Xenith and the guest read: magic, version 3, cluster bits 16, virtual size; for an overlay,
 * the backing file format extension and the backing file's name where qemu-img 7.2 puts them.
 */
function writeQcow2Header(file: string, bytes: number, backing?: { path: string; format: string }): void {
  const h = Buffer.alloc(backing === undefined ? 512 : 1024);
  h.writeUInt32BE(0x514649fb, 0);
  h.writeUInt32BE(3, 4);
  h.writeUInt32BE(16, 20);
  h.writeBigUInt64BE(BigInt(bytes), 24);
  h.writeUInt32BE(112, 100);
  if (backing !== undefined) {
    h.writeUInt32BE(0xe2792aca, 112);
    h.writeUInt32BE(backing.format.length, 116);
    h.write(backing.format, 120);
    const name = Buffer.from(backing.path);
    h.writeBigUInt64BE(0x210n, 8);
    h.writeUInt32BE(name.length, 16);
    name.copy(h, 0x210);
  }
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, h, 0, h.length, 0);
  } finally {
    closeSync(fd);
  }
}

/** qemu-img --version, create -f qcow2 (into the file Xenith claimed), resize (grow only), as qemu-img 7.2 does. */
export function simQemuImg(t: StorageTools, args: readonly string[]): RunResult {
  if (args[0] === 'snapshot') return simQemuSnapshot(t, args);
  if (args[0] === 'create' && args.includes('-b')) return simOverlay(t, args);
  if (args[0] === '--version') return ok('qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n');
  const [p, n] = args.slice(args.indexOf('--') + 1);
  if (p === undefined || n === undefined) return usage('qemu-img');
  const file = t.local(p);
  const bytes = Number(n);
  if (statSafe(file) === null) throw new SimFailure(`qemu-img: Could not open '${p}': Could not open '${p}': No such file or directory\n`, 1);
  if (args[0] === 'create') {
    writeQcow2Header(file, bytes);
    return ok('');
  }
  if (args[0] !== 'resize') return usage('qemu-img');
  const fmt = args[args.indexOf('-f') + 1];
  const head = Buffer.alloc(32);
  const fd = openSync(file, 'r+');
  try {
    readSync(fd, head, 0, 32, 0);
    const qcow = head.readUInt32BE(0) === 0x514649fb;
    if ((fmt === 'qcow2') !== qcow) throw new SimFailure(`qemu-img: Could not open '${p}': Image is not in ${fmt} format\n`, 1);
    const now = qcow ? Number(head.readBigUInt64BE(24)) : statSync(file).size;
    if (bytes < now && !args.includes('--shrink')) throw new SimFailure('qemu-img: Use the --shrink option to perform a shrink operation.\n', 1);
    // Only the size field: an overlay keeps its backing file.
    if (qcow) {
      const size = Buffer.alloc(8);
      size.writeBigUInt64BE(BigInt(bytes));
      writeSync(fd, size, 0, 8, 24);
    } else ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  return ok('');
}

/** qemu-img create -q -f qcow2 -F FMT -b BASE -- NEW: an overlay of the base's virtual size, as qemu-img 7.2 writes it. */
function simOverlay(t: StorageTools, args: readonly string[]): RunResult {
  const base = args[args.indexOf('-b') + 1] ?? '';
  const format = args[args.indexOf('-F') + 1] ?? '';
  const p = args[args.indexOf('--') + 1] ?? '';
  const st = statSafe(t.local(base));
  if (st === null) throw new SimFailure(`qemu-img: ${p}: Could not open '${base}': No such file or directory\nCould not open backing image.\n`, 1);
  if (statSafe(t.local(p)) === null) throw new SimFailure(`qemu-img: Could not open '${p}': No such file or directory\n`, 1);
  const head = Buffer.alloc(32);
  const fd = openSync(t.local(base), 'r');
  try {
    readSync(fd, head, 0, 32, 0);
  } finally {
    closeSync(fd);
  }
  const qcow = head.readUInt32BE(0) === 0x514649fb;
  if ((format === 'qcow2') !== qcow) throw new SimFailure(`qemu-img: ${p}: Could not open '${base}': Image is not in ${format} format\nCould not open backing image.\n`, 1);
  writeQcow2Header(t.local(p), qcow ? Number(head.readBigUInt64BE(24)) : Number(st!.size), { path: base, format });
  return ok('');
}

/** Moves every entry of directory `from` into `to` (the demo's mount and unmount: the export's files come and go). */
function moveAll(from: string, to: string): void {
  mkdirSync(from, { recursive: true });
  mkdirSync(to, { recursive: true });
  for (const n of readdirSync(from)) renameSync(path.join(from, n), path.join(to, n));
}

export function simFindmnt(t: StorageTools): RunResult {
  const mounts = t.storage.state.mounts ?? [];
  if (mounts.length === 0) return { stdout: '', stderr: '', exitCode: 1 };
  const rows = mounts.map((m) => `      {\n         "target": "${m.path}",\n         "source": "${m.source}",\n         "fstype": "nfs4"\n      }`);
  return ok(`{\n   "filesystems": [\n${rows.join(',\n')}\n   ]\n}\n`);
}

/** mount -t nfs -o nosuid,nodev,noexec -- SERVER:EXPORT PATH, as mount.nfs answers on a network with one NAS. */
export function simMount(t: StorageTools, args: readonly string[]): RunResult {
  const [source, target] = args.slice(-2);
  if (source === undefined || target === undefined) return usage('mount');
  const server = source.slice(0, source.indexOf(':'));
  const s = t.storage.state;
  if (!(s.exports ?? []).some((e) => e.startsWith(`${server}:`))) throw new SimFailure(`mount.nfs: Failed to resolve server ${server}: Name or service not known\n`, 32);
  if (!(s.exports ?? []).includes(source)) throw new SimFailure(`mount.nfs: access denied by server while mounting ${source}\n`, 32);
  if (statSafe(t.local(target)) === null) throw new SimFailure(`mount.nfs: mount point ${target} does not exist\n`, 32);
  if ((s.mounts ??= []).some((m) => m.path === target)) throw new SimFailure(`mount.nfs: ${source} is already mounted on ${target}\n`, 32);
  moveAll(t.storage.exportDir(source), t.local(target));
  s.mounts.push({ source, path: target });
  t.storage.persist();
  return ok('');
}

/** umount -- PATH: refused while a running domain has a file of it open, as the kernel says "target is busy". */
export function simUmount(t: StorageTools, args: readonly string[]): RunResult {
  const target = args[args.length - 1] ?? usage('umount');
  const s = t.storage.state;
  const m = (s.mounts ?? []).find((x) => x.path === target);
  if (!m) throw new SimFailure(`umount: ${target}: not mounted.\n`, 32);
  const busy = t.host.state.domains.some((d) => d.phase !== 'shutdown' && d.config.disks.some((x) => x.target.startsWith(`${target}/`)));
  if (busy) throw new SimFailure(`umount: ${target}: target is busy.\n`, 32);
  moveAll(t.local(target), t.storage.exportDir(m.source));
  s.mounts = (s.mounts ?? []).filter((x) => x !== m);
  t.storage.persist();
  return ok('');
}

/**
 * The copy of qemu-img convert -n SRC DST on the demo host: a file's first MiB (its header and boot sector) and its
 * size; a logical volume has no data here, only its size, which lvcreate already set.
 */
export function simConvert(t: StorageTools, args: readonly string[]): void {
  const [src, dst] = args.slice(-2);
  if (src === undefined || dst === undefined) usage('qemu-img');
  if (!src!.startsWith('/dev/') && statSafe(t.local(src!)) === null) throw new SimFailure(`qemu-img: Could not open '${src}': No such file or directory\n`, 1);
  const snap = args.includes('-l') ? (args[args.indexOf('-l') + 1] ?? '').replace(/^snapshot\.name=/, '') : null;
  if (snap !== null && !(t.storage.state.qcowSnaps?.[src!] ?? []).some((x) => x.tag === snap)) {
    throw new SimFailure(`qemu-img: Failed to load snapshot: Can't find snapshot\n`, 1);
  }
  if (dst!.startsWith('/dev/')) {
    t.storage.lv(dst!.slice('/dev/'.length));
    return;
  }
  const out = t.local(dst!);
  if (statSafe(out) === null) throw new SimFailure(`qemu-img: Could not open '${dst}': No such file or directory\n`, 1);
  if (src!.startsWith('/dev/')) return;
  const head = Buffer.alloc(1024 * 1024);
  const fi = openSync(t.local(src!), 'r');
  const n = readSync(fi, head, 0, head.length, 0);
  closeSync(fi);
  const fo = openSync(out, 'r+');
  try {
    if (args[args.indexOf('-O') + 1] === 'raw') writeSync(fo, head, 0, Math.min(n, 512), 0);
  } finally {
    closeSync(fo);
  }
}
