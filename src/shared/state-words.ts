/** Words for xl's state letters, shared by main and the renderer (the renderer may not import src/xen). */

const REASONS: Record<string, string> = {
  '-': 'powered off',
  r: 'rebooting',
  s: 'suspended',
  c: 'crashed',
  w: 'watchdog fired',
  S: 'soft reset',
  '?': 'unknown reason',
};

const FLAGS_RE = /^[r-][b-][p-][s-][-rscwS?][d-]$/;

/** Words for xl's six state letters: "-b----" -> "blocked (idle, waiting for I/O)"; "------" -> "runnable (waiting for a CPU)". */
export function describeStateLetters(flags: string): string {
  if (!FLAGS_RE.test(flags)) return `unknown state ${JSON.stringify(flags)}`;
  const words: string[] = [];
  if (flags[0] === 'r') words.push('running on a CPU');
  if (flags[1] === 'b') words.push('blocked (idle, waiting for I/O)');
  if (flags[2] === 'p') words.push('paused');
  if (flags[3] === 's') words.push(`shut down (${REASONS[flags.charAt(4)] ?? 'unknown reason'})`);
  if (flags[5] === 'd') words.push('dying');
  if (words.length === 0) return 'runnable (waiting for a CPU)';
  return words.join(', ');
}
