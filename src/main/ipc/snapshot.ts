import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';

/** snapshot:* — a domain's snapshots: list, take, revert, convert a raw disk (each with job:progress), delete. */
export function registerSnapshotHandlers(r: HandlerRegistry, s: Services): void {
  /** Runs `work` as job `jobId` of one client: its progress, then done (`doneWords`) or failed; the domain changed. */
  const asJob = async <T>(jobId: string, ctx: { clientId: string; progress?: (m: string) => void }, name: string, work: (say: (m: string) => void) => Promise<T>, doneWords: (r: T) => string): Promise<T> => {
    const emit = (state: 'running' | 'done' | 'failed', message: string): void => s.hub.emit('job:progress', { jobId, phase: 'snapshot', state, message }, ctx.clientId);
    try {
      const res = await work((m) => {
        emit('running', m);
        ctx.progress?.(m);
      });
      emit('done', doneWords(res));
      return res;
    } catch (e) {
      emit('failed', e instanceof Error ? e.message : String(e));
      throw e;
    } finally {
      s.notifyChanged({ reason: `snapshots of ${name}`, names: [name] });
      s.hub.emit('storage:changed', { reason: `snapshots of ${name}` });
    }
  };
  r.register('snapshot:list', (a) => s.api.listSnapshots(a.name));
  r.register('snapshot:create', ({ jobId, ...a }, ctx) =>
    asJob(jobId, ctx, a.name, (say) => s.api.createSnapshot(a, say), () => `Took snapshot "${a.snapName}" of ${a.name}.`));
  r.register('snapshot:revert', ({ jobId, ...a }, ctx) =>
    asJob(jobId, ctx, a.name, (say) => s.api.revertSnapshot(a, say), (res) => `${a.name} is back at the snapshot${res.resumed ? ' and running from it' : ''}.`));
  r.register('snapshot:convertDisk', ({ jobId, ...a }, ctx) =>
    asJob(jobId, ctx, a.name, (say) => s.api.convertDiskToQcow2(a, say), (res) =>
      res.how === 'overlay' ? `${a.vdev} is now ${res.path}, an overlay reading ${res.kept}, which must stay as it is.` : `${a.vdev} is now ${res.path}; ${res.kept} is kept, unused.`));
  r.register('snapshot:delete', async (a) => {
    try {
      return await s.api.deleteSnapshot(a);
    } finally {
      s.notifyChanged({ reason: `snapshots of ${a.name}`, names: [a.name] });
      s.hub.emit('storage:changed', { reason: `snapshots of ${a.name}` });
    }
  });
}
