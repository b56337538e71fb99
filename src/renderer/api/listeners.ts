import type { EventChannel } from '../../shared/contract';

/**
 * The listener bookkeeping both browser-mode transports share: event listeners by channel (with a hook for the first
 * listener of a channel) and connection listeners.
 */
export function createListeners(onFirst?: (event: EventChannel) => void) {
  const events = new Map<EventChannel, Set<(p: unknown) => void>>();
  const connection = new Set<(up: boolean) => void>();
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
    onConnection: (cb: (up: boolean) => void): (() => void) => {
      connection.add(cb);
      return () => connection.delete(cb);
    },
    connectionChanged: (up: boolean): void => {
      for (const l of connection) l(up);
    },
  };
}
