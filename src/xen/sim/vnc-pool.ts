import type { SimHost } from './host';
import { startRfbServer, type RfbServer } from './rfb-server';

/**
 * The demo host's VNC servers: one RFB server per running domain with vnc=1, keyed by domid (a reboot brings a new one,
 * as with qemu). They start when first needed (xenstore asked for the port, or a test asked), so a host seeded with
 * hundreds of HVM domains does not open hundreds of sockets; a domid that was serving keeps serving.
 */
export class VncPool {
  private readonly servers = new Map<number, Promise<RfbServer | undefined>>();
  private closed = false;

  constructor(
    private readonly host: SimHost,
    private readonly speed: number,
  ) {}

  /** Starts domid's server if its domain wants one and has none. */
  ensure(domid: number): void {
    const d = this.host.state.domains.find((x) => x.domid === domid);
    if (!d || d.phase === 'rebuilding' || !d.config.vnc || this.servers.has(domid) || this.closed) return;
    const o: Parameters<typeof startRfbServer>[0] = { name: d.config.name, tickMs: 1000 / this.speed };
    if (d.config.vncPasswd) o.password = d.config.vncPasswd;
    this.servers.set(domid, startRfbServer(o).catch(() => undefined));
  }

  /** domid's server, once listening (undefined when it has none). */
  get(domid: number): Promise<RfbServer | undefined> | undefined {
    return this.servers.get(domid);
  }

  /** The ports of every server that is listening, by domid. */
  async ports(): Promise<Map<number, number>> {
    const ports = new Map<number, number>();
    for (const [domid, p] of this.servers) {
      const s = await p;
      if (s) ports.set(domid, s.port);
    }
    return ports;
  }

  /** Stops domid's server (its domain went away). */
  stop(domid: number): void {
    const p = this.servers.get(domid);
    this.servers.delete(domid);
    void p?.then((s) => s?.close());
  }

  async close(): Promise<void> {
    this.closed = true;
    const servers = await Promise.all(this.servers.values());
    this.servers.clear();
    await Promise.all(servers.map((s) => (s ? s.close() : Promise.resolve())));
  }
}
