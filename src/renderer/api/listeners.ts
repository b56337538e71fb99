import type { EventChannel } from '../../shared/contract';

/** Browser mode's connection to Xenith's server: up, or down with when the next attempt is (epoch ms). */
export interface LinkState {
  up: boolean;
  retryAt: number | null;
}

/**
 * The listener bookkeeping both browser-mode transports share: event listeners by channel (with a hook for the first
 * listener of a channel) and connection listeners.
 */
export function createListeners(onFirst?: (event: EventChannel) => void) {
  const events = new Map<EventChannel, Set<(p: unknown) => void>>();
  const connection = new Set<(link: LinkState) => void>();
  return {
    subscribe: (event: EventChannel, cb: (p: unknown) => void): (() => void) => {
      let set = events.get(event);
      if (!set) {
        events.set(event, (set = new Set()));
        onFirst?.(event);
      }
      set.add(cb);
      return () => {
        set.delete(cb);
      };
    },
    emit: (event: EventChannel, payload: unknown): void => {
      for (const cb of events.get(event) ?? []) cb(payload);
    },
    onConnection: (cb: (link: LinkState) => void): (() => void) => {
      connection.add(cb);
      return () => connection.delete(cb);
    },
    connectionChanged: (link: LinkState): void => {
      for (const l of connection) l(link);
    },
  };
}
