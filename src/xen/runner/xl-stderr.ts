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
 * The XenError for a command that exited non-zero: PERMISSION when its stderr says so, else XL_FAILED whose message
 * is the program's own words (see xlErrorMessage) and whose detail keeps argv, exit code and all of stderr.
 */
export function commandFailure(argv: readonly string[], exitCode: number | null, stderr: string): XenError {
  const said = xlErrorMessage(stderr);
  const detail = { argv, exitCode, stderr };
  if (looksLikePermissionError(stderr)) return new XenError('PERMISSION', said || `${argv[0] ?? ''} needs root`, detail);
  return new XenError('XL_FAILED', said || `${argv.join(' ')} failed with exit code ${String(exitCode)}`, detail);
}
