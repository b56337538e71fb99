import type { ConsoleStatusEvent } from '../../shared/contract-types';
import type { XenApi } from '../../shared/api';

/** Where one session's events go. */
export interface ConsoleSink {
  data(data: Uint8Array): void;
  status(ev: ConsoleStatusEvent): void;
}

type Early = { data: Uint8Array[]; status: ConsoleStatusEvent[]; at: number };

/**
 * One subscription to console:data and console:status for the whole page, dispatching by session id. Events for an id
 * nobody claimed yet are kept briefly: main may send output before the console:open answer reaches the caller.
 */
export class ConsoleChannel {
  private readonly sinks = new Map<string, ConsoleSink>();
  private readonly early = new Map<string, Early>();
  private offs: (() => void)[] = [];

  constructor(private readonly api: Pick<XenApi, 'on'>) {}

  private ensure(): void {
    if (this.offs.length > 0) return;
    this.offs = [
      this.api.on('console:data', (p) => {
        const sink = this.sinks.get(p.id);
        if (sink) sink.data(p.data);
        else this.hold(p.id).data.push(p.data);
      }),
      this.api.on('console:status', (ev) => {
        const sink = this.sinks.get(ev.id);
        if (sink) sink.status(ev);
        else this.hold(ev.id).status.push(ev);
      }),
    ];
  }

  private hold(id: string): Early {
    const now = Date.now();
    // Forget what nobody claimed within 10 s (a session whose opener went away).
    for (const [k, v] of this.early) if (now - v.at > 10_000) this.early.delete(k);
    let e = this.early.get(id);
    if (!e) this.early.set(id, (e = { data: [], status: [], at: now }));
    return e;
  }

  /** Starts listening (call before console:open so nothing is missed). */
  listen(): void {
    this.ensure();
  }

  /** Routes a session's events to `sink`, first replaying anything that came early. */
  claim(id: string, sink: ConsoleSink): () => void {
    this.ensure();
    this.sinks.set(id, sink);
    const e = this.early.get(id);
    if (e) {
      this.early.delete(id);
      for (const d of e.data) sink.data(d);
      for (const s of e.status) sink.status(s);
    }
    return () => {
      if (this.sinks.get(id) === sink) this.sinks.delete(id);
    };
  }
}
