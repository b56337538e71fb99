import { isXenError } from '../errors';

/*
 * The /etc/fstab lines of NFS pools that are mounted at boot: each is the marker comment "# xenith pool at PATH"
 * followed by its line. Only lines under Xenith's own marker are ever changed or removed; everything else in the file
 * stays byte for byte.
 */

export const FSTAB = '/etc/fstab';
/** The previous file, kept before each change Xenith makes. */
export const FSTAB_BACKUP = '/etc/fstab.xenith-bak';

const marker = (path: string): string => `# xenith pool at ${path}`;

/** The fstab line of an NFS pool: the export at its mount point, nosuid,nodev as Xenith mounts it, after the network. */
export function fstabLine(source: string, path: string): string {
  return `${source} ${path} nfs nosuid,nodev,noexec,_netdev 0 0`;
}

/** `text` without Xenith's entry for mount point `path` (its marker and the line after it). */
export function withoutFstabEntry(text: string, path: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === marker(path)) {
      // The marker and, when it is still Xenith's NFS line for this mount point, the line after it.
      const f = (lines[i + 1] ?? '').trim().split(/\s+/);
      if (f[1] === path && f[2] === 'nfs') i++;
      continue;
    }
    out.push(lines[i]!);
  }
  return out.join('\n');
}

/** `text` with Xenith's entry for the pool (replacing an earlier one of Xenith's for the same mount point). */
export function withFstabEntry(text: string, source: string, path: string): string {
  const base = withoutFstabEntry(text, path);
  const sep = base === '' || base.endsWith('\n') ? '' : '\n';
  return `${base}${sep}${marker(path)}\n${fstabLine(source, path)}\n`;
}

/** Whether some line not Xenith's already mounts something at `path` (then Xenith adds none of its own). */
export function fstabMountsElsewhere(text: string, path: string): boolean {
  const lines = text.split('\n');
  return lines.some((l, i) => !l.trimStart().startsWith('#') && l.trim().split(/\s+/)[1] === path && lines[i - 1] !== marker(path));
}

/** What editing fstab needs from a HostFs (local, SSH and the demo host edit the file themselves; the broker as root). */
interface FstabFiles {
  readFile(path: string): Promise<string>;
  replaceFile(path: string, text: string): Promise<void>;
}

/**
 * Adds (source given) or removes (null) Xenith's fstab entry for an NFS pool at `path`, keeping the previous file as
 * FSTAB_BACKUP. Nothing is written when nothing changes, or when a line not Xenith's already mounts at `path`.
 */
export async function editFstab(fs: FstabFiles, path: string, source: string | null): Promise<void> {
  // A host without /etc/fstab (a minimal container dom0) gets one.
  const before = await fs.readFile(FSTAB).catch((e: unknown) => {
    if (isXenError(e, 'NOT_FOUND')) return '';
    throw e;
  });
  if (source !== null && fstabMountsElsewhere(before, path)) return;
  const after = source === null ? withoutFstabEntry(before, path) : withFstabEntry(before, source, path);
  if (after === before) return;
  await fs.replaceFile(FSTAB_BACKUP, before);
  await fs.replaceFile(FSTAB, after);
}
