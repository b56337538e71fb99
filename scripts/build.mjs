// Builds the three parts: main (and browser-mode server and broker) and preload with esbuild, the renderer with Vite.
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { cp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';

const t0 = Date.now();
await rm('dist/main', { recursive: true, force: true });
await rm('dist/preload', { recursive: true, force: true });

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Native or Electron-provided modules stay outside the bundle.
  external: ['electron', 'node-pty', 'classic-level', 'bufferutil', 'utf-8-validate'],
  // Modules that locate files beside themselves use import.meta.url; in the CJS bundle that is the bundle's own URL.
  define: { 'import.meta.url': '__xenithBundleUrl' },
  banner: { js: "const __xenithBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const mainEntries = {
  main: 'src/main/electron/main.ts',
  web: 'src/main/web/entry.ts',
  broker: 'src/xen/broker/main.ts',
};
await esbuild({
  ...node,
  entryPoints: Object.fromEntries(Object.entries(mainEntries).filter(([, p]) => existsSync(p))),
  outdir: 'dist/main',
  outExtension: { '.js': '.cjs' },
});
// The sandboxed preload must be one self-contained file; only `electron` is left to require().
await esbuild({ ...node, platform: 'node', entryPoints: { preload: 'src/preload/preload.ts' }, outdir: 'dist/preload', outExtension: { '.js': '.cjs' } });
// The demo host's guest console program runs as its own process on a pty.
if (existsSync('src/xen/sim/console-guest.cjs')) {
  await mkdir('dist/main', { recursive: true });
  await cp('src/xen/sim/console-guest.cjs', 'dist/main/console-guest.cjs');
}
if (!process.argv.includes('--no-renderer')) {
  await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });
}
console.log(`build: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
