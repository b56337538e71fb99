import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A temp directory to hold fake toolstack programs for one test file. */
export function makeTempDir(prefix = 'xenith-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes an executable script `name` into `dir` and returns its path. */
export function writeScript(dir: string, name: string, body: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, body);
  chmodSync(p, 0o755);
  return p;
}

/** A fake program that prints its argv (without itself) as one JSON array on stdout. */
export const ARGV_JSON_SCRIPT = `#!${process.execPath}\nprocess.stdout.write(JSON.stringify(process.argv.slice(2)));\n`;
