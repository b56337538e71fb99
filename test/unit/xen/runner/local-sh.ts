import { spawn } from 'node:child_process';
import type { RemoteScriptSpawner } from '../../../../src/xen/runner/ssh-fs-stream';

/** The ssh runner's transfer scripts run by this machine's sh, as `ssh host sh -c SCRIPT sh ARGS` runs them on a dom0. */
export function localSpawner(started: { pid: number | undefined; args: readonly string[] }[] = []): RemoteScriptSpawner {
  return async (script, args) => {
    const p = spawn('sh', ['-c', script, 'sh', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    started.push({ pid: p.pid, args });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const exited = new Promise<{ exitCode: number; stderr: string }>((resolve, reject) => {
      p.on('error', reject);
      p.on('close', (code) => resolve({ exitCode: code ?? 128, stderr }));
    });
    // Killing ssh closes the channel: the remote script sees its input end and its output closed, as here.
    return { stdin: p.stdin, stdout: p.stdout, exited, kill: () => (p.stdin.destroy(), p.stdout.destroy()) };
  };
}
