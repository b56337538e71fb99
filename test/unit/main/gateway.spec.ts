import { describe, expect, it, vi } from 'vitest';
import { HandlerRegistry } from '../../../src/main/gateway/registry';
import { checkSender } from '../../../src/main/gateway/sender';
import { XenError } from '../../../src/xen/errors';

const ctx = { clientId: 'test' };

describe('HandlerRegistry', () => {
  it('refuses an unknown channel with UNKNOWN_CHANNEL and runs no handler', async () => {
    const r = new HandlerRegistry();
    const pause = vi.fn(async () => undefined);
    r.register('domain:pause', pause);
    const res = await r.invoke('domain:format-disk', { name: 'x' }, ctx);
    expect(res).toEqual({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown channel "domain:format-disk"' } });
    expect(pause).not.toHaveBeenCalled();
    expect((await r.invoke({ toString: () => 'x' }, {}, ctx)).ok).toBe(false);
  });

  it('refuses a bad argument with INVALID_ARG naming the field, before the handler', async () => {
    const r = new HandlerRegistry();
    const pause = vi.fn(async () => undefined);
    r.register('domain:pause', pause);
    for (const name of ['a;touch /tmp/x', '$(reboot)', '-h', '.hidden', '42', 'a b', 'x\ny', '', 'a'.repeat(65)]) {
      const res = await r.invoke('domain:pause', { name }, ctx);
      expect(res.ok).toBe(false);
      if (!res.ok) {
        expect(res.error.code).toBe('INVALID_ARG');
        expect(res.error.detail?.['field']).toBe('name');
        expect(res.error.message).toMatch(/^name: /);
      }
    }
    expect(pause).not.toHaveBeenCalled();
  });

  it('refuses extra keys (strict schemas) and wrong types', async () => {
    const r = new HandlerRegistry();
    const h = vi.fn(async () => undefined);
    r.register('domain:setMemory', h);
    r.register('domain:save', h);
    const extra = await r.invoke('domain:setMemory', { name: 'web', targetMiB: 512, apply: 'live', shell: 'rm -rf /' }, ctx);
    expect(extra.ok).toBe(false);
    const wrongType = await r.invoke('domain:setMemory', { name: 'web', targetMiB: '512', apply: 'live' }, ctx);
    expect(!wrongType.ok && wrongType.error.detail?.['field']).toBe('targetMiB');
    const badPath = await r.invoke('domain:save', { name: 'web', file: '/var/lib/xen/../../etc/passwd' }, ctx);
    expect(!badPath.ok && badPath.error.detail?.['field']).toBe('file');
    expect(h).not.toHaveBeenCalled();
  });

  it('passes validated arguments and answers {ok, value}', async () => {
    const r = new HandlerRegistry();
    r.register('domain:setMemory', async (args) => {
      expect(args).toEqual({ name: 'web-1', targetMiB: 512, apply: 'both' });
    });
    await expect(r.invoke('domain:setMemory', { name: 'web-1', targetMiB: 512, apply: 'both' }, ctx)).resolves.toEqual({ ok: true, value: null });
  });

  it("encodes a XenError with its code and xl's own message, and anything else as INTERNAL", async () => {
    const r = new HandlerRegistry();
    r.register('domain:pause', async () => {
      throw new XenError('XL_FAILED', 'nosuchdomain is an invalid domain identifier (rc=-6)', { exitCode: 1, argv: ['xl', 'pause', 'nosuchdomain'] });
    });
    r.register('domain:unpause', async () => {
      throw new TypeError('boom');
    });
    await expect(r.invoke('domain:pause', { name: 'nosuchdomain' }, ctx)).resolves.toEqual({
      ok: false,
      error: { code: 'XL_FAILED', message: 'nosuchdomain is an invalid domain identifier (rc=-6)', detail: { exitCode: 1, argv: ['xl', 'pause', 'nosuchdomain'] } },
    });
    await expect(r.invoke('domain:unpause', { name: 'x' }, ctx)).resolves.toEqual({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('refuses to register a channel twice', () => {
    const r = new HandlerRegistry();
    r.register('app:status', () => ({ kind: 'demo', label: 'demo host', connection: 'connected' as const, healthy: true, message: 'ok' }));
    expect(() => r.register('app:status', () => ({ kind: 'demo', label: '', connection: 'connected' as const, healthy: true, message: '' }))).toThrow(/twice/);
  });
});

describe('checkSender', () => {
  const trusted = { webContentsIds: new Set([7]), origin: 'app://xenith' };
  it('accepts our window, top frame, our origin', () => {
    expect(checkSender({ webContentsId: 7, frameUrl: 'app://xenith/index.html#/domains', isTopFrame: true }, trusted)).toEqual({ ok: true });
  });
  it('refuses a foreign window, a subframe and a foreign origin', () => {
    expect(checkSender({ webContentsId: 8, frameUrl: 'app://xenith/index.html', isTopFrame: true }, trusted)).toEqual({ ok: false, reason: 'not one of our windows' });
    expect(checkSender({ webContentsId: 7, frameUrl: 'app://xenith/index.html', isTopFrame: false }, trusted)).toEqual({ ok: false, reason: 'not the top frame' });
    expect(checkSender({ webContentsId: 7, frameUrl: 'https://evil.example/x', isTopFrame: true }, trusted)).toEqual({ ok: false, reason: 'foreign origin https://evil.example' });
    expect(checkSender({ webContentsId: 7, frameUrl: 'file:///etc/passwd', isTopFrame: true }, trusted).ok).toBe(false);
    expect(checkSender({ webContentsId: 7, frameUrl: 'app://xenith.evil/index.html', isTopFrame: true }, trusted).ok).toBe(false);
  });
});

describe('EventHub', () => {
  it('tells listeners the client count as clients come and go, and a client that leaves twice leaves once', async () => {
    const { EventHub } = await import('../../../src/main/gateway/events');
    const hub = new EventHub();
    const counts: number[] = [];
    const left: string[] = [];
    hub.onClientCount((n) => counts.push(n));
    hub.onClientLeft((id) => left.push(id));
    const got: unknown[] = [];
    const removeA = hub.addClient('a', (e, p) => got.push([e, p]));
    const removeB = hub.addClient('b', () => undefined);
    hub.emit('domains:changed', { reason: 'x', names: ['web'] }, 'a');
    removeA();
    removeA();
    removeB();
    expect(counts).toEqual([1, 2, 1, 0]);
    expect(left).toEqual(['a', 'b']);
    expect(got).toEqual([['domains:changed', { reason: 'x', names: ['web'] }]]);
  });
});
