import { describe, expect, it, vi } from 'vitest';
import { bridgeTransport, buildBridge, buildXenApi, type Transport } from '../../../src/shared/api';
import { channels } from '../../../src/shared/contract';
import { XenithError } from '../../../src/shared/ipc-errors';

function fakeTransport(): Transport & { calls: unknown[][]; listeners: Map<string, (p: unknown) => void> } {
  const calls: unknown[][] = [];
  const listeners = new Map<string, (p: unknown) => void>();
  return {
    calls,
    listeners,
    invoke: async (channel, args) => {
      calls.push([channel, args]);
      if (channel === 'domain:pause') return { ok: false, error: { code: 'XL_FAILED', message: 'xl said no', detail: { stderr: 'xl said no' } } };
      return { ok: true, value: [] };
    },
    subscribe: (event, cb) => {
      listeners.set(event, cb);
      return () => listeners.delete(event);
    },
  };
}

describe('the API built from the contract', () => {
  it('has one method per channel, grouped by area', () => {
    const api = buildXenApi(fakeTransport()) as unknown as Record<string, Record<string, unknown>>;
    for (const c of channels) {
      const [area, verb] = c.split(':') as [string, string];
      expect(typeof api[area]?.[verb], c).toBe('function');
    }
  });
  it('sends the channel and arguments, unwraps values and rejects with the coded error', async () => {
    const t = fakeTransport();
    const api = buildXenApi(t);
    await expect(api.domains.list()).resolves.toEqual([]);
    await expect(api.domain.pause({ name: 'web' })).rejects.toMatchObject({ code: 'XL_FAILED', message: 'xl said no', detail: { stderr: 'xl said no' } });
    await expect(api.domain.pause({ name: 'web' })).rejects.toBeInstanceOf(XenithError);
    expect(t.calls).toContainEqual(['domains:list', {}]);
    expect(t.calls).toContainEqual(['domain:pause', { name: 'web' }]);
  });
  it('subscriptions return an unsubscribe and pass only the payload', () => {
    const t = fakeTransport();
    const api = buildXenApi(t);
    const cb = vi.fn();
    const off = api.on('domains:changed', cb);
    t.listeners.get('domains:changed')?.({ reason: 'x' });
    expect(cb).toHaveBeenCalledWith({ reason: 'x' });
    off();
    expect(t.listeners.has('domains:changed')).toBe(false);
  });
  it('round-trips through the preload bridge shape without losing error codes', async () => {
    const t = fakeTransport();
    const api = buildXenApi(bridgeTransport(buildBridge(t)));
    await expect(api.domain.pause({ name: 'web' })).rejects.toMatchObject({ code: 'XL_FAILED' });
    await expect(api.host.dmesg()).resolves.toEqual([]);
  });
});
