import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';
import type { BulkResult } from '../../shared/contract-types';
import { encodeError } from '../gateway/encode-error';
import { changing } from './track';
import { LIFECYCLE_ACTIONS, type LifecycleAction } from '../../shared/lifecycle';

type Action = LifecycleAction;

/** Runs one lifecycle action on one domain. */
async function act(s: Services, action: Action, name: string): Promise<void> {
  switch (action) {
    case 'start':
      return s.api.startDomain(name);
    case 'shutdown':
      return s.api.shutdown(name);
    case 'reboot':
      return s.api.reboot(name);
    case 'destroy':
      return s.api.destroy(name);
    case 'pause':
      return s.api.pause(name);
    case 'unpause':
      return s.api.unpause(name);
  }
}

/** domains:* and the lifecycle of domain:* — list, start, shut down, reboot, force off, pause, save, restore, rename, delete. */
export function registerDomainHandlers(r: HandlerRegistry, s: Services): void {
  r.register('domains:list', async () => {
    try {
      const list = await s.api.listDomains();
      s.reportHealth(true, 'ok');
      return list;
    } catch (e) {
      // Marks the toolstack failed, so the next stats tick from a host that answers again makes every client refetch.
      s.reportFailure('domains', e);
      throw e;
    }
  });
  r.register('domain:start', ({ name, paused, saved }) =>
    changing(s, saved === 'restore' ? 'restore' : 'start', [name], () => s.api.startDomain(name, { ...(paused ? { paused: true } : {}), ...(saved ? { saved } : {}) })),
  );
  for (const action of LIFECYCLE_ACTIONS.filter((a): a is Exclude<LifecycleAction, 'start'> => a !== 'start')) {
    r.register(`domain:${action}`, ({ name }) => changing(s, action, [name], () => act(s, action, name)));
  }
  r.register('domains:bulk', async ({ action, names }) => {
    // Sequential on purpose: xl serialises on a host-wide lock anyway, and each domain gets its own answer.
    const results: BulkResult[] = [];
    for (const name of names) {
      try {
        await act(s, action, name);
        results.push({ name, ok: true });
      } catch (e) {
        const err = encodeError(e);
        results.push({ name, ok: false, error: { code: err.code, message: err.message, ...(err.detail ? { detail: err.detail } : {}) } });
      }
      s.notifyChanged({ reason: `${action} ${name}`, names: [name] });
    }
    return results;
  });
  r.register('domain:sysrq', ({ name, key }) => changing(s, `sysrq ${key}`, [name], () => s.api.sysrq(name, key)));
  r.register('domain:save', ({ name, file }) => changing(s, 'save', [name], () => s.api.save(name, file)));
  r.register('domain:restore', ({ file }) => changing(s, 'restore', null, () => s.api.restore(file)));
  r.register('domain:rename', ({ name, newName }) => changing(s, 'rename', [name, newName], async () => void (await s.api.rename(name, newName))));
  r.register('domain:delete', ({ name, disks }) => changing(s, 'delete', [name], () => s.api.deleteDomain(name, { disks })));
  r.register('domain:autostart', ({ name, enabled }) => changing(s, 'autostart', [name], () => s.api.setAutostart(name, enabled)));
}
