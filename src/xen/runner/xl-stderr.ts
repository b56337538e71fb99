import { XenError } from '../errors';

/** Lines xl prints on stderr that say what it is doing rather than what went wrong. */
const CHATTER = [/^Parsing config from /, /^Waiting for /, /^Domain \d+ has been shut down/, /^Shutting down domain /];

/** libxl's prefix "libxl: error: libxl_mem.c:278:libxl_set_memory_target: " says where, not what. */
const LIBXL_PREFIX = /^libxl: (?:error|warning): [\w.-]+:\d+:\w+: /;

/**
 * The line of xl's stderr worth showing a person: the first libxl error if any (its source-location prefix dropped),
 * else the first non-chatter line. The full text stays in XenError.detail.stderr.
 */
export function xlErrorMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const libxl = lines.find((l) => LIBXL_PREFIX.test(l));
  if (libxl !== undefined) return libxl.replace(LIBXL_PREFIX, '');
  return lines.find((l) => !CHATTER.some((re) => re.test(l))) ?? lines[0] ?? '';
}

/**
 * Words xl, xentop and xenstore use when they were started without the rights they need. As a non-root user xl says
 * "cannot open libxc handle: Permission denied"; the same line ending in "No such file or directory" means Xen is not
 * running, which is not a permission problem.
 */
const PERMISSION_TEXT = [
  /must be run as root/i,
  /need to be root/i,
  /permission denied/i,
  /operation not permitted/i,
];

/** True when a failed command's stderr says it lacked privileges. */
export function looksLikePermissionError(stderr: string): boolean {
  return PERMISSION_TEXT.some((re) => re.test(stderr));
}

/**
 * What xl's words mean, for the failures a person meets most: each pattern and the cause it names in plain words
 * (the path, the bridge, the missing thing). First match wins; xl's own text stays beside it.
 */
const CAUSES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/Failed to open temp file (\S+) for writing/, (m) => `${m[1]} could not be created: its folder does not exist or cannot be written`],
  [/cannot open libxc handle: No such file or directory/, () => 'Xen is not running on this host: xl cannot reach the hypervisor'],
  [/Could not find bridge device (\S+)/, (m) => `The bridge ${m[1]} does not exist on this host`],
  [/'([^']+)' is an invalid domain identifier/, (m) => `There is no domain called ${m[1]} on this host`],
  [/(?:Out of memory|Cannot allocate memory|can't allocate)/i, () => 'The host does not have enough free memory for this domain'],
  [/(\/[^\s:'"]+)["']?:? No such file or directory/, (m) => `${m[1]} does not exist`],
];

/** The cause of a failure in plain words, when xl's stderr matches one Xenith knows; else null. */
export function xlCause(stderr: string): string | null {
  for (const [re, say] of CAUSES) {
    const m = stderr.match(re);
    if (m) return say(m);
  }
  return null;
}

/**
 * The XenError for a command that exited non-zero: PERMISSION when its stderr says so, else XL_FAILED whose message
 * is the program's own words (see xlErrorMessage) and whose detail keeps argv, exit code, all of stderr and, when
 * known, the cause in plain words (xlCause).
 */
export function commandFailure(argv: readonly string[], exitCode: number | null, stderr: string): XenError {
  const said = xlErrorMessage(stderr);
  const cause = xlCause(stderr);
  const detail = { argv, exitCode, stderr, ...(cause !== null ? { cause } : {}) };
  if (looksLikePermissionError(stderr)) return new XenError('PERMISSION', said || `${argv[0] ?? ''} needs root`, detail);
  return new XenError('XL_FAILED', said || `${argv.join(' ')} failed with exit code ${String(exitCode)}`, detail);
}
