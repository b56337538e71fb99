import type { EventChannel, EventMap } from '../../shared/contract';

/** Sends one event to one client (a window's webContents, or a WebSocket connection). */
export type EventSink = <E extends EventChannel>(event: E, payload: EventMap[E]) => void;

/** Main's event hub: every transport registers its clients here; handlers and services emit through it. */
export class EventHub {
  private readonly clients = new Map<string, EventSink>();

  /** Adds a client; returns its removal. */
  addClient(clientId: string, sink: EventSink): () => void {
    this.clients.set(clientId, sink);
    for (const l of this.countListeners) l(this.clients.size);
    return () => {
      if (!this.clients.delete(clientId)) return;
      for (const l of this.leaveListeners) l(clientId);
      for (const l of this.countListeners) l(this.clients.size);
    };
  }

  private readonly leaveListeners = new Set<(clientId: string) => void>();
  private readonly countListeners = new Set<(count: number) => void>();

  /** Called with the number of clients whenever one comes or goes (the stats stream runs while any is connected). */
  onClientCount(cb: (count: number) => void): () => void {
    this.countListeners.add(cb);
    return () => this.countListeners.delete(cb);
  }

  /** Called when a client goes away (its console sessions are closed). */
  onClientLeft(cb: (clientId: string) => void): () => void {
    this.leaveListeners.add(cb);
    return () => this.leaveListeners.delete(cb);
  }

  /** Emits to every client, or to one when `to` is given. */
  emit<E extends EventChannel>(event: E, payload: EventMap[E], to?: string): void {
    if (to !== undefined) {
      this.clients.get(to)?.(event, payload);
      return;
    }
    for (const sink of this.clients.values()) sink(event, payload);
  }

  /** How many clients are connected. */
  get size(): number {
    return this.clients.size;
  }
}
