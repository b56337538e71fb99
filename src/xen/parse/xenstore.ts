import { parseError, quoteLine, splitLines } from './lines';

/** xenstore paths and their values, in output order; null where xenstore-ls could not read the value ("path:"). */
export type XenstoreEntries = ReadonlyMap<string, string | null>;

const PATH_RE = /^\/[A-Za-z0-9_@/-]*$/;

/**
 * Undoes xenstore's sanitise_value: printable ASCII stays, and \t \n \r \\ \xHH \ooo stand for bytes. The bytes
 * are then read as UTF-8. Any other backslash sequence cannot come from xenstore, so it is an error.
 */
function unsanitise(what: string, line: number, s: string): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x5c) {
      if (c < 0x80) bytes.push(c);
      else for (const b of enc.encode(s[i])) bytes.push(b);
      continue;
    }
    const e = s[i + 1];
    if (e === 't' || e === 'n' || e === 'r' || e === '\\') {
      bytes.push(e === 't' ? 9 : e === 'n' ? 10 : e === 'r' ? 13 : 0x5c);
      i += 1;
    } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
      bytes.push(parseInt(s.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (e !== undefined && /^[0-7]{3}$/.test(s.slice(i + 1, i + 4))) {
      bytes.push(parseInt(s.slice(i + 1, i + 4), 8) & 0xff);
      i += 3;
    } else {
      throw parseError(what, line, `unknown escape ${quoteLine(s.slice(i, i + 4))}`);
    }
  }
  return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
}

/**
 * Parses `xenstore-ls -f PATH`: lines `full/path = "value"` (values escaped as above; a `"` inside is not escaped,
 * so the value runs to the line's last quote) or `full/path:` when the value could not be read. Without -f the
 * indented, width-truncated form is refused.
 */
export function parseXenstoreLs(text: string): Map<string, string | null> {
  const what = 'xenstore-ls';
  const out = new Map<string, string | null>();
  for (const { n, text: line } of splitLines(text)) {
    if (line === '') continue;
    const eq = line.indexOf(' = "');
    if (eq < 0) {
      if (line.endsWith(':') && PATH_RE.test(line.slice(0, -1))) {
        out.set(line.slice(0, -1), null);
        continue;
      }
      throw parseError(what, n, `expected /path = "value" (xenstore-ls -f), got ${quoteLine(line)}`);
    }
    const path = line.slice(0, eq);
    if (!PATH_RE.test(path)) throw parseError(what, n, `not a full xenstore path (run xenstore-ls -f): ${quoteLine(path)}`);
    const quoted = line.slice(eq + 3);
    if (quoted.length < 2 || !quoted.endsWith('"')) throw parseError(what, n, `value has no closing quote: ${quoteLine(line)}`);
    const body = quoted.slice(1, -1);
    // Only the non -f form cuts long values, ending them with \...; an escape never looks like that.
    if (body.endsWith('\\...')) throw parseError(what, n, `value truncated by xenstore-ls (run it with -f): ${quoteLine(line)}`);
    out.set(path, unsanitise(what, n, body));
  }
  return out;
}

/** Options for parseXenstoreRead. */
export interface XenstoreReadOptions {
  /** Set when the output came from `xenstore-read -R` (raw bytes, not escaped). */
  raw?: boolean;
}

/** Reads the output of `xenstore-read PATH`: one trailing newline trimmed, escapes undone (unless raw); one value only. */
export function parseXenstoreRead(text: string, opts: XenstoreReadOptions = {}): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (opts.raw === true) return body;
  if (body.includes('\n')) {
    throw parseError('xenstore-read', 2, 'expected one value, got several lines (one path per call)');
  }
  return unsanitise('xenstore-read', 1, body);
}

/** The pty of a domain's PV console (/local/domain/ID/console/tty), or null before xenconsoled has set it. */
export function consoleTtyFrom(entries: XenstoreEntries, domid: number): string | null {
  const tty = entries.get(`/local/domain/${domid}/console/tty`);
  return typeof tty === 'string' && tty !== '' ? tty : null;
}

/** A domain's VNC server from xenstore (console/vnc-port, console/vnc-listen), or null when it has none. */
export function vncFrom(entries: XenstoreEntries, domid: number): { port: number; listen: string | null } | null {
  const base = `/local/domain/${domid}/console`;
  const portText = entries.get(`${base}/vnc-port`);
  if (typeof portText !== 'string' || !/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  const listen = entries.get(`${base}/vnc-listen`);
  return { port, listen: typeof listen === 'string' && listen !== '' ? listen : null };
}
