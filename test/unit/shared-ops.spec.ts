import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createXenApi } from '../../src/xen/ops/api';
import { createDemoRunner } from '../../src/xen/sim/index';
import { defineSharedOpsSuite } from '../shared-ops/suite';

// The behaviour every backend must show, here on the demo simulator (the real host runs the same suite in test/xenhost).
defineSharedOpsSuite(
  'shared operations on the demo host',
  async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'xenith-shared-ops-'));
    // speed divides the simulated delays (shutdown, cleanup) so the suite stays quick.
    const runner = createDemoRunner({ stateDir, seedDomains: 0, speed: 50 });
    const api = createXenApi(runner, { pollIntervalMs: 20, shutdownTimeoutMs: 10_000 });
    return {
      api,
      runner,
      cleanup: async () => {
        await runner.close();
        await rm(stateDir, { recursive: true, force: true });
      },
      pvConfig: (name) => ({
        name,
        type: 'pv',
        kernel: '/var/lib/xen/boot/vmlinuz-6.1.0-50-amd64',
        ramdisk: '/var/lib/xen/boot/initrd.img-6.1.0-50-amd64',
        extra: 'console=hvc0 quiet',
        memory: 128,
        maxmem: 256,
        vcpus: 1,
        maxvcpus: 2,
        disks: [{ target: `/var/lib/xen/images/${name}.img`, format: 'raw', vdev: 'xvda', access: 'rw' }],
        vifs: [{ bridge: 'xenbr0' }],
        on_poweroff: 'destroy',
        on_reboot: 'restart',
        on_crash: 'destroy',
      }),
    };
  },
  { createMs: 15_000, opMs: 10_000, saveRestoreMs: 20_000 },
);
