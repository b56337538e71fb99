import { afterEach, describe, expect, it } from 'vitest';
import type { PtyHandle } from '../../../../src/xen/runner/types';
import { SimFixture, waitFor } from './helpers';

const fx = new SimFixture();
afterEach(() => fx.cleanup());

/** Collects a pty's output and exit code. */
function capture(p: PtyHandle): { text: () => string; exit: Promise<number> } {
  let text = '';
  p.onData((d) => {
    text += d;
  });
  const exit = new Promise<number>((resolve) => p.onExit(resolve));
  return { text: () => text, exit };
}

describe('demo host consoles on a real pty', () => {
  it('a freshly created domain shows its boot log, then a login prompt; root gets a shell that answers', async () => {
    const r = fx.executor({ speed: 20 });
    await r.run('xl', ['create', '/etc/xen/test-pvh.cfg']);
    const p = r.pty('xl', ['console', 'test-pvh'], { cols: 100, rows: 30 });
    const out = capture(p);
    await waitFor(() => out.text().includes('test-pvh login: '));
    expect(out.text()).toContain('Linux version 6.1.0-50-amd64');
    expect(out.text()).toContain('Booting kernel on Xen PVH');
    p.write('root\r');
    await waitFor(() => out.text().includes('root@test-pvh:~# '));
    p.write('uname -a\r');
    await waitFor(() => out.text().includes('Linux test-pvh 6.1.0-50-amd64'));
    p.write('echo hello-demo\r');
    await waitFor(() => /\r\nhello-demo\r\n/.test(out.text()));
    p.write('cat /proc/meminfo\r');
    await waitFor(() => out.text().includes('MemTotal:'));
    p.write('hostname\r');
    await waitFor(() => out.text().includes('\r\ntest-pvh\r\n'));
    expect(out.text()).not.toContain('\r\r\n');
    // Ctrl-] detaches with exit 0, like xl console.
    p.write('\x1d');
    expect(await out.exit).toBe(0);
  });

  it('seq prints its numbers in order and then the prompt; Ctrl-C stops a long one; bad arguments are refused', async () => {
    const r = fx.executor({ speed: 20 });
    const p = r.pty('xl', ['console', 'web01'], { cols: 80, rows: 24 });
    const out = capture(p);
    await waitFor(() => out.text().includes('web01 login: '));
    p.write('root\r');
    await waitFor(() => out.text().includes('root@web01:~# '));
    const from = out.text().length;
    p.write('seq 20000\r');
    await waitFor(() => out.text().endsWith('\r\n20000\r\nroot@web01:~# '), 10_000);
    const numbers = out.text().slice(from).split('\r\n').slice(1, -1).map(Number);
    expect(numbers).toEqual(Array.from({ length: 20000 }, (_, i) => i + 1));
    p.write('seq 3 5\r');
    await waitFor(() => out.text().endsWith('\r\n3\r\n4\r\n5\r\nroot@web01:~# '));
    p.write('seq 10000000\r');
    await waitFor(() => out.text().length > from + 200_000, 10_000);
    // Typing while it prints is not a command; Ctrl-C stops it.
    p.write('x\x03');
    await waitFor(() => out.text().endsWith('^C\r\nroot@web01:~# '), 10_000);
    const stoppedAt = out.text().length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(out.text().length).toBe(stoppedAt);
    p.write('seq x\r');
    await waitFor(() => out.text().endsWith('seq: invalid argument\r\nroot@web01:~# '));
    p.kill();
  });

  it('only the first client after boot gets the boot log', async () => {
    const r = fx.executor({ speed: 20 });
    await r.run('xl', ['create', '/etc/xen/test-pvh.cfg']);
    const first = r.pty('xl', ['console', 'test-pvh'], { cols: 80, rows: 24 });
    const a = capture(first);
    await waitFor(() => a.text().includes('login: '));
    first.write('\x1d');
    await a.exit;
    const second = r.pty('xl', ['console', '-t', 'pv', 'test-pvh'], { cols: 80, rows: 24 });
    const b = capture(second);
    await waitFor(() => b.text().includes('test-pvh login: '));
    expect(b.text()).not.toContain('Linux version');
    second.kill();
  });

  it('a reboot of the domain ends the console', async () => {
    const r = fx.executor({ speed: 10 });
    const p = r.pty('xl', ['console', 'web01'], { cols: 80, rows: 24 });
    const out = capture(p);
    await waitFor(() => out.text().includes('web01 login: '));
    await r.run('xl', ['reboot', 'web01']);
    await out.exit;
    await waitFor(async () => !(await r.run('xl', ['list'])).stdout.includes('web01                                        1 '));
  });

  it('an unknown domain fails with xl’s message and exit 1', async () => {
    const r = fx.executor();
    const out = capture(r.pty('xl', ['console', 'nosuchdomain'], { cols: 80, rows: 24 }));
    expect(await out.exit).toBe(1);
    expect(out.text()).toContain('nosuchdomain is an invalid domain identifier (rc=-6)');
  });

  it('a missing guest program is reported, not spawned', () => {
    const r = fx.executor({ consoleGuestPath: '/nonexistent/console-guest.cjs' });
    expect(() => r.pty('xl', ['console', 'web01'], { cols: 80, rows: 24 })).toThrow('demo console program not found');
  });

  it('only xl console runs on a pty', () => {
    const r = fx.executor();
    expect(() => r.pty('xl', ['list'], { cols: 80, rows: 24 })).toThrow('xl console');
  });
});
