import { existsSync, rmSync } from 'node:fs';
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

/**
 * Where the demo host keeps its state: --demo-state, else the data directory; a seeded size (XENITH_DEMO_DOMAINS) has
 * its own, so `XENITH_DEMO_DOMAINS=500` gives 500 domains even where the default demo host has run before.
 */
export function demoStateDir(options: AppOptions, dataDir: string): string {
  return options.demoStateDir ?? join(dataDir, options.demoDomains !== null ? `demo-host-${options.demoDomains}` : 'demo-host');
}

/**
 * --reset-demo: removes the demo host's state, but only a directory that holds one (its sim-state.json), so a mistyped
 * --demo-state can never empty some other directory.
 */
export function resetDemoState(dir: string): boolean {
  if (!existsSync(join(dir, 'sim-state.json'))) return false;
  rmSync(dir, { recursive: true, force: true });
  return true;
}

/** Builds the runner for the chosen toolstack. */
export function createRunnerFor(choice: ToolstackChoice, options: AppOptions, dataDir: string, bundle: BundlePaths): Runner {
  switch (choice.kind) {
    case 'demo': {
      const stateDir = demoStateDir(options, dataDir);
      if (options.resetDemo) console.log(resetDemoState(stateDir) ? `Demo host: forgot its state in ${stateDir}; starting from its seed.` : `Demo host: no state to forget in ${stateDir}.`);
      console.log(`Demo host: its state is kept in ${stateDir} (--reset-demo starts it afresh).`);
      return createDemoRunner({
        stateDir,
        ...(options.demoDomains !== null ? { seedDomains: options.demoDomains } : {}),
        ...(existsSync(bundle.consoleGuestPath) ? { consoleGuestPath: bundle.consoleGuestPath } : {}),
      });
    }
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

/**
 * Where the graph history of the chosen host is kept: each host its own store under the data directory (the demo
 * host's beside its state, so --reset-demo forgets both).
 */
export function historyDirFor(choice: ToolstackChoice, options: AppOptions, dataDir: string): string {
  switch (choice.kind) {
    case 'demo':
      return join(demoStateDir(options, dataDir), 'history');
    case 'ssh':
      return join(dataDir, 'history', `ssh-${choice.target}${choice.port !== null ? `-${choice.port}` : ''}`.replace(/[^A-Za-z0-9_.@-]/g, '_'));
    case 'local':
    case 'broker':
      return join(dataDir, 'history', 'local');
  }
}
