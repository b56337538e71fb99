import { spawn, type ChildProcess } from 'node:child_process';

/** A browser-mode Xenith process and the URL (with token) it printed. */
export interface WebServerProcess {
  proc: ChildProcess;
  url: string;
}

/** Starts `node dist/main/web.cjs ARGS` with `env` added and resolves once it prints its URL (rejects on exit or timeout). */
export async function startWebServerProcess(args: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Promise<WebServerProcess> {
  const proc = spawn(process.execPath, ['dist/main/web.cjs', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web server did not print its URL in ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web server exited (${code}) before printing its URL:\n${output}`));
    });
  });
  return { proc, url };
}

/** A random token for a test server. */
export function testToken(prefix = 't'): string {
  return `${prefix}${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
}
