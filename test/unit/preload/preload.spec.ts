import { beforeEach, describe, expect, it, vi } from 'vitest';
import { channels } from '../../../src/shared/contract';

// The real electron package is never loaded: the preload is run against a stand-in for its two APIs.
const exposed = new Map<string, unknown>();
const listeners = new Map<string, (...a: unknown[]) => void>();
const invoke = vi.fn(async (channel: string, args: unknown) => ({ ok: true, value: { channel, args } }));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer: {
    invoke: (c: string, a: unknown) => invoke(c, a),
    on: (e: string, l: (...a: unknown[]) => void) => listeners.set(e, l),
    removeListener: (e: string) => listeners.delete(e),
  },
}));

describe('preload', () => {
  beforeEach(async () => {
    exposed.clear();
    vi.resetModules();
    await import('../../../src/preload/preload');
  });

  it('exposes exactly one object, window.xen, with a method per contract channel and no ipcRenderer', () => {
    expect([...exposed.keys()]).toEqual(['xen']);
    const xen = exposed.get('xen') as Record<string, Record<string, unknown>>;
    for (const c of channels) {
      const [area, verb] = c.split(':') as [string, string];
      expect(typeof xen[area]?.[verb], c).toBe('function');
    }
    expect(JSON.stringify(Object.keys(xen))).not.toMatch(/ipc|send|invoke/i);
  });

  it('invokes the named channel and strips the Electron event from subscriptions', async () => {
    const xen = exposed.get('xen') as { domain: { pause(a: unknown): Promise<unknown> }; on(e: string, cb: (p: unknown) => void): () => void };
    await expect(xen.domain.pause({ name: 'web' })).resolves.toEqual({ ok: true, value: { channel: 'domain:pause', args: { name: 'web' } } });
    const cb = vi.fn();
    const off = xen.on('domains:changed', cb);
    listeners.get('domains:changed')?.({ sender: 'the electron event' }, { reason: 'x' });
    expect(cb).toHaveBeenCalledWith({ reason: 'x' });
    expect(cb.mock.calls[0]).toHaveLength(1);
    off();
    expect(listeners.has('domains:changed')).toBe(false);
    expect(() => xen.on('shell:exec', cb)).toThrow(/Unknown event/);
  });
});
