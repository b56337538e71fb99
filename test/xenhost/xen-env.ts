import { createXenApi, type XenApi } from '../../src/xen/ops/api';
import { createSshRunner } from '../../src/xen/runner/ssh';
import type { PtyHandle, Runner } from '../../src/xen/runner/types';
import type { DomainConfig } from '../../src/shared/domain-config';
import type { TestHost } from './support';

/** src/xen over its own SSH runner, pointed at the test host. */
export function xenOver(host: TestHost): { runner: Runner; api: XenApi } {
  const runner = createSshRunner({
    target: host.target,
    port: host.port,
    ...(host.identityFile ? { identityFile: host.identityFile } : {}),
    // The QEMU test host is a throwaway VM whose host key changes with each image build.
    ...(host.target.endsWith('@127.0.0.1') ? { extraOptions: ['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'LogLevel=ERROR'] } : {}),
  });
  return { runner, api: createXenApi(runner, { pollIntervalMs: 500, shutdownTimeoutMs: 240_000, timeoutScale: 6 }) };
}

/** The busybox test guest as a DomainConfig (no devices: xl create skips the slow hotplug scripts). */
export function busyboxGuest(host: TestHost, name: string, type: 'pv' | 'pvh' | 'hvm'): DomainConfig {
  const base: DomainConfig = {
    name,
    type,
    kernel: `${host.guestDir}/vmlinuz`,
    ramdisk: `${host.guestDir}/initrd.gz`,
    extra: type === 'hvm' ? 'console=ttyS0' : 'console=hvc0',
    memory: 128,
    maxmem: type === 'hvm' ? 128 : 256,
    vcpus: 1,
    maxvcpus: type === 'hvm' ? 1 : 2,
    disks: [],
    vifs: [],
    on_poweroff: 'destroy',
    on_reboot: 'restart',
    on_crash: 'destroy',
  };
  return type === 'hvm' ? { ...base, serial: 'pty', nographic: true } : base;
}

/** The command-line flags that point the app (npm run web) at the test host. */
export function appArgsFor(host: TestHost): string[] {
  return [
    '--host',
    host.target,
    '--ssh-port',
    String(host.port),
    ...(host.identityFile ? ['--ssh-key', host.identityFile] : []),
    ...(host.target.endsWith('@127.0.0.1')
      ? ['--ssh-option', 'StrictHostKeyChecking=no', '--ssh-option', 'UserKnownHostsFile=/dev/null', '--ssh-option', 'LogLevel=ERROR']
      : []),
  ];
}

/** A guest's console: its pty, what it has shown, and a wait for text that came after `from` (an offset into it). */
export interface GuestConsole {
  pty: PtyHandle;
  out: () => string;
  waitFor: (re: RegExp, ms: number, from?: number) => Promise<void>;
}

/** Opens `name`'s console over the runner's pty. */
export function guestConsole(runner: Runner, name: string): GuestConsole {
  const pty = runner.pty('console.open', { dom: name }, { cols: 120, rows: 30 });
  let out = '';
  pty.onData((d) => (out += d));
  const waitFor = async (re: RegExp, ms: number, from = 0): Promise<void> => {
    const t0 = Date.now();
    while (!re.test(out.slice(from))) {
      if (Date.now() - t0 > ms) throw new Error(`console of ${name} never showed ${re}; it showed:\n${out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  return { pty, out: () => out, waitFor };
}
