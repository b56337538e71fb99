import { XenError } from '../errors';
import { assertAbsolute, assertSize } from './local-fs';
import { editFstab } from '../storage/fstab';
import { parseImageHeader, probeableName } from '../storage/image-header';
import { sshStreams, type RemoteScriptSpawner } from './ssh-fs-stream';
import { READ_DIR_MAX_BYTES, type DirEntryRead, type HostFileStat, type HostFs, type ImageProbe } from './types';

/** Runs a fixed `sh -c SCRIPT sh ARGS...` on the remote host; `input` goes to its stdin. */
export type RemoteScriptRunner = (script: string, args: readonly string[], input?: string) => Promise<{ stdout: string; stderr: string; exitCode: number }>;

/** Exit codes the scripts below use to say what happened, so no stderr text needs parsing. */
const ABSENT = 3;
const NOT_A_LINK = 4;
const PRESENT = 17;

/**
 * The only scripts the ssh runner's HostFs ever runs. Paths travel as positional parameters ("$1"), never inside the
 * script text, so nothing in a path can change what runs. They need GNU coreutils/findutils (a Debian dom0 has them).
 */
export const SSH_FS_SCRIPTS = {
  readFile: `[ -e "$1" ] || exit ${ABSENT}; exec cat -- "$1"`,
  // noclobber (set -C) makes the redirect fail instead of overwriting, also if the file appears after the test.
  writeFileExclusive: `{ [ -e "$1" ] || [ -L "$1" ]; } && exit ${PRESENT}; set -C; cat > "$1"`,
  replaceFile:
    't="$(dirname -- "$1")/.$(basename -- "$1").xenith-$$.tmp"; set -C; cat > "$t" || exit 1; ' +
    '[ -e "$1" ] && chmod --reference="$1" -- "$t" 2>/dev/null; mv -f -- "$t" "$1" || { rm -f -- "$t"; exit 1; }',
  list: `[ -d "$1" ] || exit ${ABSENT}; cd -- "$1" && find . -mindepth 1 -maxdepth 1 -printf '%f\\0'`,
  stat: `{ [ -e "$1" ] || [ -L "$1" ]; } || exit ${ABSENT}; stat -c '%f %s %b %B %Y' -- "$1" && { stat -L -c '%f %s %b %B %Y' -- "$1" 2>/dev/null || true; }`,
  remove: `{ [ -e "$1" ] || [ -L "$1" ]; } || exit ${ABSENT}; rm -f -- "$1"`,
  symlink: `{ [ -e "$2" ] || [ -L "$2" ]; } && exit ${PRESENT}; ln -s -- "$1" "$2"`,
  readlink: `[ -L "$1" ] || exit ${NOT_A_LINK}; readlink -- "$1"`,
  createSparse: `{ [ -e "$1" ] || [ -L "$1" ]; } && exit ${PRESENT}; set -C; : > "$1" || exit 1; truncate -s "$2" -- "$1"`,
  freeBytes: 'out=$(df -B1 --output=avail -- "$1") || exit 1; printf "%s\\n" "$out" | tail -n 1',
  mkdirp: 'mkdir -p -- "$1"',
  mkdirpMode: 'mkdir -p -m "$2" -- "$1"',
  // Every entry of "$1" ending in "$2" (hidden ones left out): name, link target and, when "$3" is 1, the base64 text
  // of a readable regular file up to "$4" bytes, each ended by NUL; "-" where there is no text. One round trip.
  readDir:
    `[ -d "$1" ] || exit ${ABSENT}; cd -- "$1" || exit 1; for f in *"$2"; do ` +
    '{ [ -e "$f" ] || [ -L "$f" ]; } || continue; l=; [ -L "$f" ] && l=$(readlink -- "$f"); t=-; ' +
    'if [ "$3" = 1 ] && [ -f "$f" ] && [ -r "$f" ] && [ "$(stat -L -c %s -- "$f")" -le "$4" ]; then t=$(base64 -w0 -- "$f") || t=-; fi; ' +
    'printf "%s\\0%s\\0%s\\0" "$f" "$l" "$t"; done',
  // One line per image file: name, size, 512-byte blocks, the head in hex (1 KiB for qcow2, else its magic), and the
  // 5 bytes where ISO 9660 says CD001. Names Xenith would not make are skipped, so a line never splits.
  probeImages:
    `[ -d "$1" ] || exit ${ABSENT}; cd -- "$1" || exit 1; for f in *; do ` +
    'case "$f" in [!A-Za-z0-9_]*|*[!A-Za-z0-9_.+-]*) continue;; esac; [ -f "$f" ] && [ ! -L "$f" ] || continue; ' +
    'm=$(head -c 4 -- "$f" | od -An -tx1 | tr -d " \\n"); ' +
    '[ "$m" = 514649fb ] && m=$(head -c 1024 -- "$f" | od -An -tx1 -v | tr -d " \\n"); ' +
    'i=$(tail -c +32770 -- "$f" 2>/dev/null | head -c 5 | od -An -tx1 | tr -d " \\n"); ' +
    'printf "%s\\t%s\\t%s\\t%s\\n" "$f" "$(stat -c "%s %b" -- "$f")" "$m" "$i"; done',
} as const;

const hexBytes = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

/** Parses the probeImages script's lines. */
export function parseProbeLines(stdout: string): ImageProbe[] {
  const out: ImageProbe[] = [];
  for (const line of stdout.split('\n')) {
    const [name, sizes, head, iso] = line.split('\t');
    if (name === undefined || sizes === undefined || !probeableName(name)) continue;
    const [size, blocks] = sizes.split(' ').map(Number);
    if (!Number.isSafeInteger(size) || !Number.isSafeInteger(blocks)) continue;
    const isoBytes = iso ? hexBytes(iso) : null;
    out.push({ name, size: size!, allocated: blocks! * 512, ...parseImageHeader(hexBytes(head ?? ''), isoBytes, size!) });
  }
  return out;
}

/** Parses the readDir script's NUL-ended triples. */
export function parseReadDir(stdout: string, suffix: string): DirEntryRead[] {
  const f = stdout.split('\0');
  const out: DirEntryRead[] = [];
  for (let i = 0; i + 2 < f.length; i += 3) {
    const [name, link, b64] = [f[i] ?? '', f[i + 1] ?? '', f[i + 2] ?? '-'];
    // An unmatched glob comes back as itself ("*.cfg"), which -e already drops; names are checked again here.
    if (name === '' || name.startsWith('.') || !name.endsWith(suffix) || name.includes('/')) continue;
    out.push({ name, link: link === '' ? null : link, text: b64 === '-' ? null : Buffer.from(b64, 'base64').toString('utf8') });
  }
  return out;
}

/** Runs one of SSH_FS_SCRIPTS; `path` is what errors name. */
type ScriptCall = (op: keyof typeof SSH_FS_SCRIPTS, path: string, args: readonly string[], input?: string) => Promise<{ stdout: string; stderr: string; exitCode: number }>;

/** HostFs on the remote host, built from the fixed scripts above (and ssh-fs-stream.ts's, one process per transfer). */
export function createSshFs(runScript: RemoteScriptRunner, spawnScript: RemoteScriptSpawner): HostFs {
  const call: ScriptCall = (op, path, args, input) => runFsScript(runScript, op, path, args, input);
  const fs = { ...sshFileWrites(call), ...sshFileReads(call) };
  return { ...fs, ...sshStreams(spawnScript, (p) => fs.remove(p)), setFstabNfs: (path, source) => editFstab(fs, path, source) };
}

/** Runs script `op` and turns the exit codes the scripts use (and ssh's stderr) into XenErrors. */
async function runFsScript(runScript: RemoteScriptRunner, op: keyof typeof SSH_FS_SCRIPTS, path: string, args: readonly string[], input?: string): ReturnType<ScriptCall> {
  const res = await runScript(SSH_FS_SCRIPTS[op], args, input);
  if (res.exitCode === 0 || res.exitCode === NOT_A_LINK) return res;
  const detail = { path, op, exitCode: res.exitCode, stderr: res.stderr };
  if (res.exitCode === ABSENT) throw new XenError('NOT_FOUND', `${path} does not exist`, detail);
  if (res.exitCode === PRESENT) throw new XenError('EXISTS', `${path} already exists`, detail);
  const said = res.stderr.trim().split('\n')[0] ?? '';
  if (/permission denied|operation not permitted|read-only file system/i.test(res.stderr)) {
    throw new XenError('PERMISSION', said || `Not allowed to ${op} ${path}`, detail);
  }
  throw new XenError('XL_FAILED', said || `${op} ${path} failed with exit code ${res.exitCode}`, detail);
}

/** The HostFs methods that create, replace or remove files and directories. */
function sshFileWrites(call: ScriptCall): Pick<HostFs, 'writeFileExclusive' | 'createEmpty' | 'replaceFile' | 'remove' | 'symlink' | 'createSparse' | 'mkdirp'> {
  return {
    async writeFileExclusive(p, text) {
      assertAbsolute(p);
      await call('writeFileExclusive', p, [p], text);
    },
    async createEmpty(p) {
      assertAbsolute(p);
      await call('writeFileExclusive', p, [p], '');
    },
    async replaceFile(p, text) {
      assertAbsolute(p);
      await call('replaceFile', p, [p], text);
    },
    async remove(p) {
      assertAbsolute(p);
      await call('remove', p, [p]);
    },
    async symlink(target, p) {
      assertAbsolute(p);
      if (typeof target !== 'string' || target === '' || target.includes('\0')) {
        throw new XenError('INVALID_ARG', 'Bad symlink target', { field: 'target' });
      }
      await call('symlink', p, [target, p]);
    },
    async createSparse(p, bytes) {
      assertAbsolute(p);
      assertSize(bytes);
      await call('createSparse', p, [p, String(bytes)]);
    },
    async mkdirp(p, mode) {
      assertAbsolute(p);
      if (mode === undefined) await call('mkdirp', p, [p]);
      else await call('mkdirpMode', p, [p, (mode & 0o7777).toString(8)]);
    },
  };
}

/** The HostFs methods that only read: contents, listings, facts, links and free space. */
function sshFileReads(call: ScriptCall): Pick<HostFs, 'readFile' | 'list' | 'stat' | 'readlink' | 'freeBytes' | 'probeImages' | 'readDir'> {
  return {
    async readDir(dir, o) {
      assertAbsolute(dir);
      if (o.suffix.includes('/') || o.suffix.includes('*') || o.suffix.includes('\0')) throw new XenError('INVALID_ARG', 'Bad suffix', { field: 'suffix' });
      const res = await call('readDir', dir, [dir, o.suffix, o.text ? '1' : '0', String(READ_DIR_MAX_BYTES)]);
      return parseReadDir(res.stdout, o.suffix).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
    async probeImages(dir) {
      assertAbsolute(dir);
      return parseProbeLines((await call('probeImages', dir, [dir])).stdout);
    },
    async readFile(p) {
      assertAbsolute(p);
      return (await call('readFile', p, [p])).stdout;
    },
    async list(dir) {
      assertAbsolute(dir);
      const out = (await call('list', dir, [dir])).stdout;
      return out.split('\0').filter((n) => n !== '').sort();
    },
    async stat(p) {
      assertAbsolute(p);
      try {
        return parseStatLines((await call('stat', p, [p])).stdout, p);
      } catch (e) {
        if (e instanceof XenError && e.code === 'NOT_FOUND') return null;
        throw e;
      }
    },
    async readlink(p) {
      assertAbsolute(p);
      const res = await call('readlink', p, [p]);
      return res.exitCode === NOT_A_LINK ? null : res.stdout.replace(/\n$/, '');
    },
    async freeBytes(p) {
      assertAbsolute(p);
      const out = (await call('freeBytes', p, [p])).stdout.trim();
      if (!/^\d+$/.test(out)) throw new XenError('PARSE', `df printed ${JSON.stringify(out)} for ${p}`, { path: p });
      return Number(out);
    },
  };
}

const S_IFMT = 0o170000;

/** Reads `stat -c '%f %s %b %B %Y'` output: the link itself on line 1, what it points to (if anything) on line 2. */
export function parseStatLines(out: string, path: string): HostFileStat {
  const rows = out.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().split(' '));
  const parse = (row: string[] | undefined) => {
    if (row?.length !== 5 || !/^[0-9a-f]+$/i.test(row[0] ?? '') || row.slice(1).some((f) => !/^\d+$/.test(f))) return null;
    const [mode, size, blocks, blockSize, mtime] = [parseInt(row[0] ?? '', 16), ...row.slice(1).map(Number)] as [number, number, number, number, number];
    return { type: mode & S_IFMT, size, allocated: blocks * blockSize, mtimeMs: mtime * 1000 };
  };
  const own = parse(rows[0]);
  if (own === null) throw new XenError('PARSE', `Unexpected stat output for ${path}: ${JSON.stringify(out)}`, { path, line: 1 });
  const isSymlink = own.type === 0o120000;
  const s = (isSymlink ? parse(rows[1]) : null) ?? own;
  return {
    size: s.size,
    allocated: s.allocated,
    isFile: s.type === 0o100000,
    isDirectory: s.type === 0o040000,
    isBlockDevice: s.type === 0o060000,
    isSymlink,
    mtimeMs: s.mtimeMs,
  };
}
