import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';

/**
 * domain:clone* — clone a stopped domain. A running clone can be cancelled by the client that started it (its job id
 * is only known to that client); the copy in progress stops and what the clone made is removed.
 */
export function registerCloneHandlers(r: HandlerRegistry, s: Services): void {
  const running = new Map<string, AbortController>();
  const key = (clientId: string, jobId: string): string => `${clientId}\u0000${jobId}`;
  r.register('domain:clonePreview', (a) => s.api.clonePreview(a));
  r.register('domain:clone', async ({ jobId, ...a }, ctx) => {
    const k = key(ctx.clientId, jobId);
    if (running.has(k)) throw new Error(`Clone job ${jobId} is already running`);
    const stop = new AbortController();
    running.set(k, stop);
    const say = (state: 'running' | 'done' | 'failed', message: string): void => {
      s.hub.emit('job:progress', { jobId, phase: 'clone', state, message }, ctx.clientId);
      if (state === 'running') ctx.progress?.(message);
    };
    try {
      const result = await s.api.cloneDomain(a, (m) => say('running', m), stop.signal);
      say('done', `Cloned ${a.name} as ${a.newName}.`);
      return result;
    } catch (e) {
      say('failed', e instanceof Error ? e.message : String(e));
      throw e;
    } finally {
      running.delete(k);
      s.notifyChanged({ reason: `clone ${a.name} as ${a.newName}`, names: [a.newName] });
      s.hub.emit('storage:changed', { reason: `clone of ${a.name}` });
    }
  });
  r.register('domain:cloneCancel', ({ jobId }, ctx) => {
    running.get(key(ctx.clientId, jobId))?.abort();
  });
}
