import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';

/** storage:* — pools and volumes, each a src/xen storage operation; a change is announced as storage:changed. */
export function registerStorageHandlers(r: HandlerRegistry, s: Services): void {
  const changed = async (reason: string, op: () => Promise<unknown>): Promise<void> => {
    try {
      await op();
    } finally {
      s.hub.emit('storage:changed', { reason });
    }
  };
  r.register('storage:overview', () => s.api.storageOverview());
  r.register('storage:devices', () => s.api.blockDevices());
  r.register('storage:isos', () => s.api.isoLibrary());
  r.register('storage:poolAdd', ({ pool }) => changed(`pool ${pool.name} added`, () => s.api.addPool(pool)));
  r.register('storage:poolRemove', ({ name }) => changed(`pool ${name} removed`, () => s.api.removePool(name)));
  r.register('storage:poolEdit', ({ name, iso, persist }) =>
    changed(`pool ${name} changed`, () => s.api.editPool(name, { ...(iso !== undefined ? { iso } : {}), ...(persist !== undefined ? { persist } : {}) })),
  );
  r.register('storage:poolMount', ({ name }) => changed(`pool ${name} mounted`, () => s.api.mountPool(name)));
  r.register('storage:poolUnmount', ({ name }) => changed(`pool ${name} unmounted`, () => s.api.unmountPool(name)));
  r.register('storage:vgCreate', (a) => changed(`volume group ${a.vg} created`, () => s.api.createVolumeGroup(a)));
  r.register('storage:volumeCreate', (a) => changed(`volume ${a.name} created`, () => s.api.createVolume(a)));
  r.register('storage:volumeClone', async ({ pool, name, newName, jobId }, ctx) => {
    const say = (state: 'running' | 'done' | 'failed', message: string): void => {
      s.hub.emit('job:progress', { jobId, phase: 'copy', state, message }, ctx.clientId);
      if (state === 'running') ctx.progress?.(message);
    };
    try {
      const r = await s.api.cloneVolume({ pool, name, newName }, (pct) => say('running', `Copying ${name} to ${newName}: ${pct}%`));
      say('done', `Copied ${name} to ${newName}.`);
      return r;
    } catch (e) {
      say('failed', e instanceof Error ? e.message : String(e));
      throw e;
    } finally {
      s.hub.emit('storage:changed', { reason: `volume ${newName} cloned` });
    }
  });
  r.register('storage:volumeDelete', ({ pool, name }) => changed(`volume ${name} deleted`, () => s.api.deleteVolume(pool, name)));
  r.register('storage:volumeResize', ({ pool, name, sizeGiB, shrink }) => changed(`volume ${name} resized`, () => s.api.resizeVolume(pool, name, sizeGiB, { shrink: shrink === true })));
}
