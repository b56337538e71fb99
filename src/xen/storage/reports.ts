import { XenError } from '../errors';

/*
 * Parsers of the storage reports Xenith asks for (formats as captured on the Debian 12 test host): vgs/lvs with
 * `--reportformat json --units b --nosuffix`, `df -B1 --output=target,size,used,avail`, `lsblk -J -b`.
 */

export interface VgRow {
  readonly name: string;
  readonly sizeBytes: number;
  readonly freeBytes: number;
}

export interface LvRow {
  readonly name: string;
  readonly vg: string;
  readonly sizeBytes: number;
  /** lv_attr, e.g. "-wi-ao----": [0] type (t thin pool, V thin volume, - plain), [5] o when open. */
  readonly attr: string;
  readonly pool: string;
}

export interface DfRow {
  readonly target: string;
  readonly sizeBytes: number;
  readonly usedBytes: number;
  readonly availBytes: number;
}

export interface LsblkRow {
  readonly path: string;
  readonly sizeBytes: number;
  readonly type: string;
  readonly model: string;
  readonly mountpoint: string | null;
  readonly fstype: string | null;
  readonly parent: string | null;
}

const bad = (what: string, why: string): XenError => new XenError('PARSE', `Cannot read ${what}: ${why}`, { what });

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw bad(what, 'not JSON');
  }
}

const str = (o: Record<string, unknown>, k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '');
const bytes = (o: Record<string, unknown>, k: string, what: string): number => {
  const v = Number(str(o, k));
  if (!Number.isSafeInteger(v) || v < 0) throw bad(what, `${k} is not a byte count`);
  return v;
};

/** The rows of an LVM JSON report (`{"report":[{"vg":[...]}]}`). */
function lvmRows(text: string, key: 'vg' | 'lv'): Record<string, unknown>[] {
  const j = json(text, key === 'vg' ? 'vgs' : 'lvs') as { report?: { [k: string]: unknown }[] };
  const rows = j?.report?.[0]?.[key];
  if (!Array.isArray(rows)) throw bad(key === 'vg' ? 'vgs' : 'lvs', `no "${key}" list in the report`);
  return rows as Record<string, unknown>[];
}

export function parseVgs(text: string): VgRow[] {
  return lvmRows(text, 'vg').map((r) => ({ name: str(r, 'vg_name'), sizeBytes: bytes(r, 'vg_size', 'vgs'), freeBytes: bytes(r, 'vg_free', 'vgs') }));
}

export function parseLvs(text: string): LvRow[] {
  return lvmRows(text, 'lv').map((r) => ({
    name: str(r, 'lv_name'),
    vg: str(r, 'vg_name'),
    sizeBytes: bytes(r, 'lv_size', 'lvs'),
    attr: str(r, 'lv_attr'),
    pool: str(r, 'pool_lv'),
  }));
}

/**
 * A logical volume a guest could use as a disk, or a snapshot volume taking space in the group: plain, thin, an origin
 * of snapshots, a snapshot; not a thin pool, not hidden, not a snapshot's internals.
 */
export function isVolumeLv(lv: LvRow): boolean {
  return !lv.name.startsWith('[') && ['-', 'V', 'o', 's'].includes(lv.attr[0] ?? '');
}

/** df's table; a path df could not read is left out (df says so on stderr and exits 1). */
export function parseDf(text: string): DfRow[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length === 4 && f.slice(1).every((x) => /^\d+$/.test(x)))
    .map(([target, size, used, avail]) => ({ target: target!, sizeBytes: Number(size), usedBytes: Number(used), availBytes: Number(avail) }));
}

export function parseLsblk(text: string): LsblkRow[] {
  const j = json(text, 'lsblk') as { blockdevices?: unknown };
  if (!Array.isArray(j?.blockdevices)) throw bad('lsblk', 'no "blockdevices" list');
  return (j.blockdevices as Record<string, unknown>[]).map((r) => ({
    path: str(r, 'path'),
    sizeBytes: typeof r['size'] === 'number' ? r['size'] : Number(str(r, 'size')),
    type: str(r, 'type'),
    model: str(r, 'model').trim(),
    mountpoint: str(r, 'mountpoint') || null,
    fstype: str(r, 'fstype') || null,
    parent: str(r, 'pkname') || null,
  }));
}

/** `findmnt -J -o TARGET,SOURCE,FSTYPE`: mounted filesystems (nested children flattened). */
export function parseFindmnt(text: string): { target: string; source: string; fstype: string }[] {
  const j = json(text, 'findmnt') as { filesystems?: unknown };
  if (!Array.isArray(j?.filesystems)) throw bad('findmnt', 'no "filesystems" list');
  const out: { target: string; source: string; fstype: string }[] = [];
  const walk = (list: Record<string, unknown>[]): void => {
    for (const f of list) {
      out.push({ target: str(f, 'target'), source: str(f, 'source'), fstype: str(f, 'fstype') });
      if (Array.isArray(f['children'])) walk(f['children'] as Record<string, unknown>[]);
    }
  };
  walk(j.filesystems as Record<string, unknown>[]);
  return out;
}
