// Bundles bench/run.ts (and the src/ code it measures) into one CommonJS file and runs it; extra arguments pass through
// (--only stats, --out FILE). Needs only esbuild, so it works whether or not `npm run build` has produced anything.
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist/bench/run.cjs');

await build({
  entryPoints: [join(root, 'bench/run.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
  // Native or heavyweight modules a suite may load at run time stay outside the bundle.
  external: ['node-pty', 'playwright-core', 'electron', 'classic-level', 'esbuild'],
});

const child = spawn(process.execPath, ['--enable-source-maps', '--expose-gc', outfile, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
