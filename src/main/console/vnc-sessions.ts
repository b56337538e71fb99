import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { XenError } from '../../xen/index';
import type { XenApi } from '../../xen/index';
import type { VncOpenResult } from '../../shared/contract-types';
import type { DomainConfig } from '../../shared/domain-config';
import type { ToolstackChoice } from '../core/options';
import { openVncLeg } from './vnc-connect';
import { startVncProxy, type VncProxy } from './vnc-proxy';

/** What the VNC sessions need from main. */
export interface VncDeps {
  api: Pick<XenApi, 'listDomainsCheap' | 'consoleInfo' | 'readConfig'>;
  choice: ToolstackChoice;
  allowedOrigins(): ReadonlySet<string>;
}

/** The VNC password of a domain's config: `vncpasswd=` (HVM) or inside a `vfb` spec (PV), when set. */
export function vncPasswordOf(cfg: DomainConfig | null): string | null {
  if (!cfg) return null;
  if (cfg.vncpasswd) return cfg.vncpasswd;
  for (const spec of cfg.vfb ?? []) {
    const m = /(?:^|,)\s*vncpasswd=([^,]*)/.exec(spec);
    if (m?.[1]) return m[1];
  }
  return null;
}

/** Graphical console sessions: one token-guarded WebSocket proxy per session, owned by the client that opened it. */
export class VncSessions {
  private readonly sessions = new Map<string, { clientId: string; proxy: VncProxy }>();
  private controlDir: string | null = null;
  /** Clients that left (ids are never reused): an open still in flight for one of them is undone. */
  private readonly gone = new Set<string>();

  constructor(
    private readonly deps: VncDeps,
    /** Most graphical sessions one client (window or browser tab) may hold: each is a listening proxy. */
    private readonly maxPerClient = 8,
  ) {}

  /** Finds the domain's VNC server (xenstore) and starts a proxy to it. */
  async open(clientId: string, name: string): Promise<VncOpenResult> {
    const mine = [...this.sessions.values()].filter((s) => s.clientId === clientId).length;
    if (mine >= this.maxPerClient) throw new XenError('LIMIT', `This window already has ${mine} graphical consoles open; close one first`, { field: 'name', limit: this.maxPerClient });
    // Fails early with words a person understands; the proxy looks the port up again per connection.
    await this.address(name);
    const cfg = await this.deps.api.readConfig(name).catch(() => null);
    const proxy = await startVncProxy({
      allowedOrigins: () => this.deps.allowedOrigins(),
      connect: async () => openVncLeg(this.deps.choice, await this.address(name), () => this.sshDir()),
    });
    if (this.gone.has(clientId)) {
      await proxy.close();
      throw new XenError('ABORTED', 'The window that asked for this display has gone', { field: 'name' });
    }
    const id = randomBytes(12).toString('base64url');
    this.sessions.set(id, { clientId, proxy });
    return { id, url: proxy.url, password: vncPasswordOf(cfg?.config ?? null) };
  }

  async close(clientId: string, id: string): Promise<void> {
    const s = this.sessions.get(id);
    if (!s || s.clientId !== clientId) throw new XenError('NOT_FOUND', 'No such VNC session', { field: 'id' });
    this.sessions.delete(id);
    await s.proxy.close();
  }

  async closeClient(clientId: string): Promise<void> {
    this.gone.add(clientId);
    await Promise.all([...this.sessions].filter(([, s]) => s.clientId === clientId).map(([id]) => this.close(clientId, id)));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions].map(([id, s]) => this.close(s.clientId, id)));
    if (this.controlDir) rmSync(this.controlDir, { recursive: true, force: true });
    this.controlDir = null;
  }

  private async address(name: string): Promise<{ listen: string | null; port: number }> {
    const d = (await this.deps.api.listDomainsCheap()).find((x) => x.name === name);
    if (!d || d.domid === null) throw new XenError('NOT_FOUND', `${name} is not running, so it has no graphical console`, { field: 'name' });
    const info = await this.deps.api.consoleInfo(d.domid);
    if (info.vncPort === null) throw new XenError('UNSUPPORTED', `${name} has no graphical console (no VNC display in its config)`, { field: 'name' });
    return { listen: info.vncListen, port: info.vncPort };
  }

  private sshDir(): string {
    // A private (0700) directory for the tunnels' own ControlMaster: the runner's socket is not shared with main.
    this.controlDir ??= mkdtempSync(join(tmpdir(), 'xenith-vnc-'));
    return this.controlDir;
  }
}
