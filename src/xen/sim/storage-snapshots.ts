import { closeSync, openSync, readSync } from 'node:fs';
import type { RunResult } from '../runner/types';
import { SimFailure } from './host';
import { extents, lvOpen } from './storage';
import type { StorageTools } from './storage-tools';

// The demo host's snapshots: LVM snapshot volumes (thick with a copy-on-write area, or thin in the origin's pool),
// merging one back, and qcow2 internal snapshots, answered in the words LVM 2.03 and qemu-img 7.2 use.

const ok = (stdout: string, stderr = ''): RunResult => ({ stdout, stderr, exitCode: 0 });

/** lvcreate -q -y -s -n NAME [-L SIZEb | -kn] -- VG/ORIGIN. */
export function simLvSnapshot(t: StorageTools, args: readonly string[]): RunResult {
  const name = args[args.indexOf('-n') + 1] ?? '';
  const ref = args[args.length - 1] ?? '';
  const origin = t.storage.lv(ref);
  const vg = t.storage.vg(origin.vg);
  if (t.storage.state.lvs.some((l) => l.vg === vg.name && l.name === name)) throw new SimFailure(`  Logical Volume "${name}" already exists in volume group "${vg.name}"\n`, 5);
  const thin = origin.attr.startsWith('V');
  if (!thin && !args.includes('-L')) throw new SimFailure('  Please specify either size or extents with snapshots.\n', 3);
  const size = thin ? origin.size : extents(Number((args[args.indexOf('-L') + 1] ?? '').replace(/b$/, '')));
  const free = vg.size - t.storage.used(vg.name);
  if (!thin && size > free) throw new SimFailure(`  Volume group "${vg.name}" has insufficient free space (${free / 4194304} extents): ${size / 4194304} required.\n`, 5);
  // Thin snapshots are skipped at activation ("k") unless -kn.
  const thinAttr = args.includes('-kn') ? 'Vwi-a-tz--' : 'Vwi---tz-k';
  t.storage.state.lvs.push({ vg: vg.name, name, size, attr: thin ? thinAttr : 'swi-a-s---', pool: thin ? origin.pool : '', origin: origin.name });
  t.storage.persist();
  return ok('', `  Logical volume "${name}" created.\n`);
}

/** lvconvert -q -i 1 --merge -- VG/SNAPSHOT: the origin takes the snapshot's blocks back; the snapshot goes. */
export function simLvMerge(t: StorageTools, args: readonly string[]): RunResult {
  const ref = args[args.length - 1] ?? '';
  const snap = t.storage.lv(ref);
  if (snap.origin === undefined) throw new SimFailure(`  Command on LV ${ref} uses options that require LV types snapshot .\n  Command not permitted on LV ${ref}.\n`, 5);
  const origin = t.storage.lv(`${snap.vg}/${snap.origin}`);
  if (lvOpen(t.host, origin)) throw new SimFailure(`  Can't merge over open origin volume.\n  Merging of snapshot ${ref} will occur on next activation of ${snap.vg}/${origin.name}.\n`, 5);
  t.storage.state.lvs = t.storage.state.lvs.filter((l) => l !== snap);
  t.storage.persist();
  return ok('', `  Merging of volume ${ref} started.\n  ${snap.vg}/${origin.name}: Merged: 100.00%\n`);
}

/** The host path in qemu-img's --image-opts (driver=qcow2,file.driver=file,file.filename=PATH, commas doubled). */
function imageOptsPath(opts: string): string {
  return opts.replace(/^driver=qcow2,file\.driver=file,file\.filename=/, '').replace(/,,/g, ',');
}

/** qemu-img snapshot -q -c|-a|-d TAG --image-opts -- OPTS: kept per file in the demo's storage state. */
export function simQemuSnapshot(t: StorageTools, args: readonly string[]): RunResult {
  const [, , flag, tag = '', , , opts = ''] = args;
  const p = imageOptsPath(opts);
  const head = Buffer.alloc(4);
  try {
    const fd = openSync(t.local(p), 'r');
    readSync(fd, head, 0, 4, 0);
    closeSync(fd);
  } catch {
    throw new SimFailure(`qemu-img: Could not open '${opts}': Could not open '${p}': No such file or directory\n`, 1);
  }
  if (head.readUInt32BE(0) !== 0x514649fb) throw new SimFailure(`qemu-img: Could not open '${opts}': Image is not in qcow2 format\n`, 1);
  const all = (t.storage.state.qcowSnaps ??= {});
  const list = (all[p] ??= []);
  const at = list.findIndex((s) => s.tag === tag);
  if (flag === '-c') list.push({ tag, date: Date.now() });
  else if (at === -1) throw new SimFailure(`qemu-img: Could not ${flag === '-a' ? 'apply' : 'delete'} snapshot '${tag}': Can't find the snapshot\n`, 1);
  else if (flag === '-d') list.splice(at, 1);
  if (list.length === 0) delete all[p];
  t.storage.persist();
  return ok('');
}
