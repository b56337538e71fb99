/** Small pure checks shared by the disk, vif and domain-config code (src/shared may not import src/xen). */

/** Thrown by the disk/vif spec parsers and formatters; src/xen turns it into a XenError. */
export class SpecSyntaxError extends Error {
  override readonly name = 'SpecSyntaxError';
  constructor(
    message: string,
    readonly spec: string,
  ) {
    super(message);
  }
}

/** The first control character (anything below space except tab, or DEL) in `s`, if any. */
export function findControlChar(s: string): string | undefined {
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if ((code < 0x20 && ch !== '\t') || code === 0x7f) return ch;
  }
  return undefined;
}

/** Words for a control character in messages ("a newline", "a NUL byte"...). */
export function describeControlChar(ch: string): string {
  if (ch === '\n') return 'a newline';
  if (ch === '\r') return 'a carriage return';
  if (ch === '\0') return 'a NUL byte';
  return `a control character (U+${ch.charCodeAt(0).toString(16).padStart(4, '0')})`;
}

/**
 * Characters allowed in host paths we write (kernel, ramdisk, disk images, scripts). Deliberately narrow: these paths
 * reach hotplug shell scripts and xenstore, so quotes, backslashes, whitespace and shell metacharacters are refused
 * even though xl's own syntax could carry them.
 */
const SAFE_PATH_RE = /^\/[A-Za-z0-9._+\-/@:%~]*$/;

/** Why `p` is not a safe absolute host path, or null when it is. */
export function absPathProblem(p: string): string | null {
  if (p === '') return 'is empty';
  if (p.length > 4096) return 'is longer than 4096 characters';
  const ctl = findControlChar(p);
  if (ctl !== undefined) return `contains ${describeControlChar(ctl)}`;
  if (!p.startsWith('/')) return 'must be an absolute path (starting with "/")';
  if (p.split('/').some((seg) => seg === '..' || seg === '.')) return 'may not contain "." or ".." segments';
  if (p.includes('//') || (p.length > 1 && p.endsWith('/'))) return 'must be written plainly (no "//" and no "/" at the end)';
  if (!SAFE_PATH_RE.test(p)) {
    return 'may only contain letters, digits and . _ + - / @ : % ~ (no spaces, quotes, commas or shell characters)';
  }
  return null;
}

/** Deep equality for plain JSON-like values (objects compared by own enumerable keys, undefined keys ignored). */
export function plainEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => plainEqual(x, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!plainEqual(ao[k], bo[k])) return false;
  return true;
}
