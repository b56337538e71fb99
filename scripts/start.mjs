// `npm start`: opens the Electron app; where Electron's binary is missing and cannot be downloaded, starts browser mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const dir = join('node_modules', 'electron');

function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
    return existsSync(p) ? p : null;
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const p = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(p) ? p : null;
}

let bin = electronBinary();
if (!bin && existsSync(join(dir, 'install.js'))) {
  // Electron >= 42 fetches its binary on first use; try once, quietly, with a time limit.
  spawnSync(process.execPath, [join(dir, 'install.js')], { stdio: 'ignore', timeout: 120_000 });
  bin = electronBinary();
}

if (!bin) {
  console.log("Electron's binary is not installed and could not be downloaded here, so Xenith starts in browser mode instead.");
  const child = spawn(process.execPath, ['dist/main/web.cjs', ...args], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(bin, ['.', ...args], { stdio: 'inherit', env });
  child.on('exit', (code) => process.exit(code ?? 0));
}
