import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Runner } from '../../xen/index';
import { createLocalRunner } from '../../xen/index';
import { createSshRunner } from '../../xen/index';
import { brokerLaunchCommand, createBrokerRunner } from '../../xen/index';
import { createDemoRunner } from '../../xen/index';
import type { AppOptions, ToolstackChoice } from './options';

/** The root-owned launcher the polkit action names (installed by the .deb). */
const BROKER_LAUNCHER = '/usr/lib/xenith/xenith-broker';

/** Where the bundled helper programs live next to the main bundle. */
export interface BundlePaths {
  brokerPath: string;
  consoleGuestPath: string;
}

/** The bundled files beside dist/main/*.cjs. */
export function bundlePaths(dir: string): BundlePaths {
  return { brokerPath: join(dir, 'broker.cjs'), consoleGuestPath: join(dir, 'console-guest.cjs') };
}

/** Builds the runner for the chosen toolstack. */
export function createRunnerFor(choice: ToolstackChoice, options: AppOptions, dataDir: string, bundle: BundlePaths): Runner {
  switch (choice.kind) {
    case 'demo':
      return createDemoRunner({
        stateDir: options.demoStateDir ?? join(dataDir, 'demo-host'),
        ...(options.demoDomains !== null ? { seedDomains: options.demoDomains } : {}),
        ...(existsSync(bundle.consoleGuestPath) ? { consoleGuestPath: bundle.consoleGuestPath } : {}),
      });
    case 'ssh':
      return createSshRunner({
        target: choice.target,
        ...(choice.port !== null ? { port: choice.port } : {}),
        ...(choice.identity !== null ? { identityFile: choice.identity } : {}),
        ...(choice.options?.length ? { extraOptions: choice.options } : {}),
      });
    case 'local':
      return createLocalRunner();
    case 'broker':
      return createBrokerRunner({
        command: brokerLaunchCommand({
          isRoot: false,
          hasPkexec: existsSync('/usr/bin/pkexec'),
          sudoNonInteractive: process.env['XENITH_BROKER_SUDO'] === '1',
          nodePath: process.execPath,
          brokerPath: bundle.brokerPath,
          // Under Electron, process.execPath is Electron itself: it must act as plain Node for the broker.
          runAsNode: process.versions['electron'] !== undefined,
          wrapperPath: existsSync(BROKER_LAUNCHER) ? BROKER_LAUNCHER : null,
        }),
      });
  }
}
