import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { XenError } from '../../../../src/xen/errors';
import { createLocalExecutor } from '../../../../src/xen/runner/local';
import type { XenProgram } from '../../../../src/xen/runner/types';
import { ARGV_JSON_SCRIPT, makeTempDir, writeScript } from './fake-bin';

let bin: string;
let work: string;
beforeAll(() => {
  bin = makeTempDir();
  work = makeTempDir();
  writeScript(bin, 'xl', ARGV_JSON_SCRIPT);
  writeScript(bin, 'xentop', '#!/bin/sh\nfor i in 1 2 3; do echo "frame $i"; done\nexec sleep 30\n');
});

/** True while `pid` exists and is not a zombie (PID 1 here may not reap orphans). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const HOSTILE = [
  'a;touch MARK1',
  "it's",
  'two words',
  'line\nbreak',
  '$(touch MARK2)',
  '`touch MARK3`',
  '*',
  '"double"',
  '-x',
  '',
  '\\',
];

describe('createLocalExecutor run', () => {
  it('passes every argument as one literal argv entry, with no shell in between', async () => {
    const r = createLocalExecutor({ binDir: bin });
    const args = HOSTILE.map((a) => a.replace(/MARK/g, path.join(work, 'mark')));
    const res = await r.run('xl', args);
    expect(JSON.parse(res.stdout)).toEqual(args);
    expect(res.exitCode).toBe(0);
    expect(readdirSync(work)).toEqual([]);
  });

  it('uses an exact path from the programs map ahead of binDir', async () => {
    const other = makeTempDir();
    writeScript(other, 'my-xl', '#!/bin/sh\necho mapped "$@"\n');
    const r = createLocalExecutor({ binDir: bin, programs: { xl: path.join(other, 'my-xl') } });
    expect((await r.run('xl', ['list'])).stdout).toBe('mapped list\n');
  });

  it('throws XL_FAILED with xl\'s own words and keeps argv, exit code and stderr', async () => {
    const dir = makeTempDir();
    const stderr =
      'Parsing config from /etc/xen/test1.cfg\n' +
      'libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain 7:Domain with name "test1" already exists.\n' +
      'libxl: error: libxl_create.c:1296:initiate_domain_create: Domain 7:cannot make domain: -6\n';
    writeFileSync(path.join(dir, 'err.txt'), stderr);
    writeScript(dir, 'xl', `#!/bin/sh\ncat "${path.join(dir, 'err.txt')}" >&2\nexit 3\n`);
    const r = createLocalExecutor({ binDir: dir });
    const p = r.run('xl', ['create', '/etc/xen/test1.cfg']);
    await expect(p).rejects.toMatchObject({
      code: 'XL_FAILED',
      message: 'Domain 7:Domain with name "test1" already exists.',
      detail: { argv: ['xl', 'create', '/etc/xen/test1.cfg'], exitCode: 3, stderr },
    });
  });

  it('uses the first meaningful stderr line when there is no libxl error', async () => {
    const dir = makeTempDir();
    writeScript(dir, 'xl', '#!/bin/sh\necho "" >&2\necho "  test1 is an invalid domain identifier (rc=-6)  " >&2\nexit 1\n');
    const p = createLocalExecutor({ binDir: dir }).run('xl', ['list', 'test1']);
    await expect(p).rejects.toMatchObject({ code: 'XL_FAILED', message: 'test1 is an invalid domain identifier (rc=-6)' });
  });

  it('returns a failed result instead of throwing when allowFailure is set', async () => {
    const dir = makeTempDir();
    writeScript(dir, 'xl', '#!/bin/sh\necho out\necho bad >&2\nexit 4\n');
    const res = await createLocalExecutor({ binDir: dir }).run('xl', ['x'], { allowFailure: true });
    expect(res).toEqual({ stdout: 'out\n', stderr: 'bad\n', exitCode: 4 });
  });

  it('maps "must be run as root" to PERMISSION', async () => {
    const dir = makeTempDir();
    writeScript(dir, 'xl', '#!/bin/sh\necho "xl: must be run as root" >&2\nexit 1\n');
    await expect(createLocalExecutor({ binDir: dir }).run('xl', ['info'])).rejects.toMatchObject({ code: 'PERMISSION' });
  });

  it('maps a program that is not executable (EACCES) to PERMISSION', async () => {
    const dir = makeTempDir();
    writeFileSync(path.join(dir, 'xl'), '#!/bin/sh\n');
    await expect(createLocalExecutor({ binDir: dir }).run('xl', ['info'])).rejects.toMatchObject({ code: 'PERMISSION' });
  });

  it('maps a missing program (ENOENT) to XL_NOT_FOUND', async () => {
    const p = createLocalExecutor({ binDir: makeTempDir() }).run('xl', ['info']);
    await expect(p).rejects.toBeInstanceOf(XenError);
    await expect(p).rejects.toMatchObject({ code: 'XL_NOT_FOUND' });
  });

  it('kills a command that outlives its timeout and throws TIMEOUT', async () => {
    const dir = makeTempDir();
    writeScript(dir, 'xl', '#!/bin/sh\nexec sleep 20\n');
    const t0 = Date.now();
    await expect(createLocalExecutor({ binDir: dir }).run('xl', ['create'], { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'TIMEOUT',
      detail: { argv: ['xl', 'create'] },
    });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('escalates to SIGKILL when the command ignores SIGTERM, killing its children too', async () => {
    const dir = makeTempDir();
    const pidFile = path.join(dir, 'child.pid');
    writeScript(dir, 'xl', `#!/bin/sh\ntrap '' TERM\nsleep 20 &\necho $! > "${pidFile}"\nwait\n`);
    const r = createLocalExecutor({ binDir: dir, killGraceMs: 200 });
    const t0 = Date.now();
    await expect(r.run('xl', ['x'], { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - t0).toBeLessThan(3000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((res) => setTimeout(res, 100));
    expect(isRunning(pid)).toBe(false);
  });

  it('throws ABORTED when the signal fires, and at once when it already has', async () => {
    const dir = makeTempDir();
    writeScript(dir, 'xl', '#!/bin/sh\nexec sleep 20\n');
    const r = createLocalExecutor({ binDir: dir });
    const ac = new AbortController();
    const p = r.run('xl', ['save'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(r.run('xl', ['save'], { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('refuses programs outside the closed list and arguments with NUL, without starting anything', async () => {
    const r = createLocalExecutor({ binDir: bin });
    await expect(r.run('sh' as XenProgram, ['-c', 'true'])).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(r.run('xl', ['list\0-l'])).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(r.run('xl', [42 as unknown as string])).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(() => r.stream('bash' as XenProgram, [])).toThrow(XenError);
  });
});

describe('createLocalExecutor stream and pty', () => {
  it('streams stdout of a long-lived program until killed', async () => {
    const r = createLocalExecutor({ binDir: bin });
    const h = r.stream('xentop', ['-b', '-d', '1']);
    let text = '';
    await new Promise<void>((resolve) => {
      h.stdout.on('data', (b: Buffer) => {
        text += b.toString();
        if (text.includes('frame 3')) resolve();
      });
    });
    h.kill();
    expect(await h.exited).toBeNull();
    expect(text).toBe('frame 1\nframe 2\nframe 3\n');
  });

  it('rejects `exited` with XL_NOT_FOUND when the program is missing', async () => {
    const h = createLocalExecutor({ binDir: makeTempDir() }).stream('xentop', ['-b']);
    await expect(h.exited).rejects.toMatchObject({ code: 'XL_NOT_FOUND' });
  });

  it('runs xl on a pty with its argv intact and reports the exit code', async () => {
    const r = createLocalExecutor({ binDir: bin });
    const t = r.pty('xl', ['console', 'a b;c'], { cols: 80, rows: 24 });
    let out = '';
    t.onData((d) => (out += d));
    const code = await new Promise<number>((resolve) => t.onExit(resolve));
    expect(code).toBe(0);
    expect(JSON.parse(out.trim())).toEqual(['console', 'a b;c']);
  });

  it('refuses a pty for anything but xl and absurd sizes', () => {
    const r = createLocalExecutor({ binDir: bin });
    expect(() => r.pty('xentop' as 'xl', [], { cols: 80, rows: 24 })).toThrow(XenError);
    expect(() => r.pty('xl', [], { cols: 0, rows: 24 })).toThrow(XenError);
  });
});

describe('local runner file exists check', () => {
  it('has no marker files left by hostile args', () => {
    expect(existsSync(path.join(work, 'mark1'))).toBe(false);
  });
});
