/**
 * Joins argv into one command line for a remote POSIX shell (ssh hands the remote side a single string that
 * `$SHELL -c` re-parses). Every word is single-quoted, and a `'` inside becomes `'\''`, so `;`, `$(...)`, backticks,
 * spaces, globs and newlines all arrive as literal characters of one argument.
 */
export function quoteForRemoteShell(argv: readonly string[]): string {
  return argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}
