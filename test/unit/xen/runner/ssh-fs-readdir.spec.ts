import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { createSshFs, type RemoteScriptRunner } from '../../../../src/xen/runner/ssh-fs';
import { FakeRunner, fx } from '../ops/fakes';
import { makeTempDir } from './fake-bin';
import { localSpawner } from './local-sh';

/** The ssh runner's scripts run by this machine's sh, as `ssh host sh -c SCRIPT sh ARGS` runs them on a dom0; each call counted. */
function localSh(calls: string[]): RemoteScriptRunner {
  return (script, args, input) =>
    new Promise((resolve, reject) => {
      calls.push(args[0] ?? '');
      const p = spawn('sh', ['-c', script, 'sh', ...args]);
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      p.on('error', reject);
      p.on('close', (code) => resolve({ stdout, stderr, exitCode: code ?? -1 }));
      // A script that exits before reading its stdin (a missing directory) closes the pipe: that is no error here.
      p.stdin.on('error', () => undefined);
      p.stdin.end(input ?? '');
    });
}

/** A config directory like a dom0's: N domains, two autostarted (a link and a copy), a hidden file and a stray one. */
function hostDir(n: number): string {
  const etc = makeTempDir('xenith-sshfs-');
  mkdirSync(path.join(etc, 'auto'));
  for (let i = 0; i < n; i++) writeFileSync(path.join(etc, `vm${i}.cfg`), `name = "vm${i}"\nmemory = 256\n# café ünïcode\n`);
  writeFileSync(path.join(etc, '.vm9.cfg.swp'), 'x');
  writeFileSync(path.join(etc, 'xl.conf'), '');
  symlinkSync('../vm0.cfg', path.join(etc, 'auto', 'vm0.cfg'));
  writeFileSync(path.join(etc, 'auto', 'vm1.cfg'), 'name = "vm1"\n');
  // vm2 was saved: its memory is in the save directory.
  mkdirSync(path.join(etc, 'save'));
  writeFileSync(path.join(etc, 'save', 'vm2.save'), 'memory');
  return etc;
}

describe('the ssh runner reads a directory in one round trip', () => {
  it('returns each entry, its link and its text (any bytes), and NOT_FOUND for a missing directory', async () => {
    const etc = hostDir(3);
    writeFileSync(path.join(etc, 'big.cfg'), 'x'.repeat(2 * 1024 * 1024));
    mkdirSync(path.join(etc, 'dir.cfg'));
    const calls: string[] = [];
    const fs = createSshFs(localSh(calls), localSpawner());
    const cfgs = await fs.readDir(etc, { suffix: '.cfg', text: true });
    expect(cfgs.map((e) => e.name)).toEqual(['big.cfg', 'dir.cfg', 'vm0.cfg', 'vm1.cfg', 'vm2.cfg']);
    expect(cfgs.find((e) => e.name === 'vm1.cfg')).toEqual({ name: 'vm1.cfg', link: null, text: 'name = "vm1"\nmemory = 256\n# café ünïcode\n' });
    // Too big to be a config, or not a file: listed without text.
    expect(cfgs.filter((e) => e.text === null).map((e) => e.name)).toEqual(['big.cfg', 'dir.cfg']);
    expect(await fs.readDir(path.join(etc, 'auto'), { suffix: '', text: false })).toEqual([
      { name: 'vm0.cfg', link: '../vm0.cfg', text: null },
      { name: 'vm1.cfg', link: null, text: null },
    ]);
    expect(calls).toHaveLength(2);
    await expect(fs.readDir(path.join(etc, 'none'), { suffix: '.cfg', text: true })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(fs.readDir(etc, { suffix: '*', text: true })).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });

  it('lists 40 domains with the same number of round trips as 3: none per domain', async () => {
    const trips = async (n: number): Promise<{ files: number; names: string[]; saved: string[] }> => {
      const etc = hostDir(n);
      const calls: string[] = [];
      const runner = new FakeRunner(createSshFs(localSh(calls), localSpawner()));
      runner.on('xl list', fx('xl-list.txt')).on('xl list -l', fx('xl-list-l.json')).on('xl uptime', fx('xl-uptime.txt'));
      const list = await createXenApi(runner, { configDir: etc, autoDir: path.join(etc, 'auto'), saveDir: path.join(etc, 'save') }).listDomains();
      expect(runner.lines).toEqual(['xl list', 'xl list -l', 'xl uptime']);
      return { files: calls.length, names: list.filter((d) => d.autostart).map((d) => d.name), saved: list.filter((d) => d.savedFile !== null).map((d) => d.name) };
    };
    const small = await trips(2);
    const big = await trips(40);
    // The config directory, the autostart directory and the save directory: one request each.
    expect(small).toEqual({ files: 3, names: ['vm0', 'vm1'], saved: [] });
    expect(big.files).toBe(3);
    expect(big.names).toEqual(['vm0', 'vm1']);
    expect(big.saved).toEqual(['vm2']);
  });
});
