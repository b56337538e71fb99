/** What decides how the broker is started. */
export interface BrokerLaunchFacts {
  /** The app already runs as root (euid 0): no elevation needed. */
  isRoot: boolean;
  /** /usr/bin/pkexec exists (polkit asks for the admin password in a desktop dialog). */
  hasPkexec: boolean;
  /** The user set up passwordless sudo for the broker and asked for it. */
  sudoNonInteractive: boolean;
  /** A Node binary, or Electron's own binary together with runAsNode. */
  nodePath: string;
  brokerPath: string;
  /** nodePath is Electron: run it as plain Node (ELECTRON_RUN_AS_NODE=1, set through env since pkexec/sudo drop it). */
  runAsNode?: boolean;
  /**
   * An installed root-owned launcher (e.g. /usr/lib/xenith/xenith-broker) named by the polkit policy's exec.path.
   * With it, pkexec uses the org.xenith.broker action; without it pkexec falls back to its generic action.
   */
  wrapperPath?: string | null;
}

/**
 * The argv that starts the broker: directly when already root, `sudo -n` when the user chose it, else `pkexec`.
 * With none available it starts the broker directly anyway, so xl's own "must be root" reaches the user as PERMISSION.
 */
export function brokerLaunchCommand(f: BrokerLaunchFacts): string[] {
  // No broker arguments: its reach is root's policy file, so nothing the caller passes can widen it.
  const node = f.runAsNode === true ? ['/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1', f.nodePath, f.brokerPath] : [f.nodePath, f.brokerPath];
  if (f.isRoot) return node;
  if (f.sudoNonInteractive) return ['sudo', '-n', '--', ...node];
  if (f.hasPkexec) {
    if (f.wrapperPath !== undefined && f.wrapperPath !== null) return ['pkexec', f.wrapperPath];
    return ['pkexec', ...node];
  }
  return node;
}
