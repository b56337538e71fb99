import type { Terminal } from '@xterm/xterm';
import type RFB from '@novnc/novnc';
import type { FlowWriter } from '../../lib/console-flow';

/** What consoles expose to end-to-end tests and the bench; present only when a test set `window.__xenithTestHooks`. */
export interface ConsoleTestHooks {
  console?: { term: Terminal; flow: FlowWriter; name: string; sessionId(): string | null };
  rfb?: RFB;
  /** Sees every chunk of console output (UTF-8) before xterm does (the bench hashes it). */
  tap?: (data: Uint8Array) => void;
}

declare global {
  interface Window {
    /** Set by tests (page.addInitScript) before the app loads; never by the app itself. */
    __xenithTestHooks?: ConsoleTestHooks;
  }
}

/** The test hooks object, when a test asked for one. */
export function testHooks(): ConsoleTestHooks | undefined {
  return window.__xenithTestHooks;
}
