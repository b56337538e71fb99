import { spawn } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { XenError } from '../../xen/index';
import { sshBaseArgs } from '../../xen/index';
import type { ToolstackChoice } from '../core/options';

/** Where a domain's VNC server listens, as xenstore tells it (relative to dom0). */
export interface VncAddress {
  listen: string | null;
  port: number;
}

const HOST_RE = /^[A-Za-z0-9._:-]{1,253}$/;

/** The address to dial: a wildcard listen address means "any of dom0's", so dom0's loopback is used. */
export function dialHost(listen: string | null): string {
  const l = (listen ?? '').trim();
  if (l === '' || l === '0.0.0.0' || l === '::' || l === '[::]') return '127.0.0.1';
  if (!HOST_RE.test(l) || l.startsWith('-')) throw new XenError('INVALID_ARG', `Bad VNC listen address ${JSON.stringify(l)}`, { field: 'vnc-listen' });
  return l;
}

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new XenError('INVALID_ARG', `Bad VNC port ${String(port)}`, { field: 'vnc-port' });
  return port;
}

/**
 * The ssh argv (after `ssh`) that carries one TCP connection to host:port on the dom0 as its stdio (`-W`), with the
 * runner's options and a ControlMaster so repeated connections reuse one login. Never a shell command line.
 */
export function sshTunnelArgs(choice: Extract<ToolstackChoice, { kind: 'ssh' }>, controlDir: string, addr: VncAddress): string[] {
  const host = dialHost(addr.listen);
  const port = checkPort(addr.port);
  const opts = {
    target: choice.target,
    ...(choice.port !== null ? { port: choice.port } : {}),
    ...(choice.identity !== null ? { identityFile: choice.identity } : {}),
    // The same -o options the runner got (a test VM's host-key policy, ...), so the tunnel logs in the same way.
    ...(choice.options?.length ? { extraOptions: choice.options } : {}),
  };
  return [...sshBaseArgs(opts, controlDir), '-W', `${host.includes(':') ? `[${host}]` : host}:${port}`, '--', choice.target];
}

/** Opens the TCP leg to a VNC server: directly on this machine, or through `ssh -W` for a remote dom0. */
export function openVncLeg(choice: ToolstackChoice, addr: VncAddress, sshControlDir: () => string): Duplex {
  if (choice.kind !== 'ssh') return netConnect({ host: dialHost(addr.listen), port: checkPort(addr.port) });
  const child = spawn('ssh', sshTunnelArgs(choice, sshControlDir(), addr), { stdio: ['pipe', 'pipe', 'ignore'] });
  const leg = Duplex.from({ readable: child.stdout, writable: child.stdin });
  leg.on('close', () => child.kill());
  child.on('exit', () => leg.destroy());
  return leg;
}
