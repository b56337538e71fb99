import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';
import { changing } from './track';

/** The Hardware tabs' channels: each is a src/xen operation (ops/hardware.ts), announced as a change to that domain. */
export function registerDomainHwHandlers(r: HandlerRegistry, s: Services): void {
  r.register('domain:setMemory', (a) => changing(s, 'memory', [a.name], () => s.api.setMemory(a)));
  r.register('domain:setVcpus', (a) => changing(s, 'vcpus', [a.name], () => s.api.setVcpus(a)));
  r.register('domain:pinVcpu', ({ name, vcpu, cpus }) => changing(s, 'pin', [name], () => s.api.vcpuPin(name, vcpu, cpus)));
  r.register('domain:setSched', ({ name, weight, cap }) =>
    changing(s, 'sched', [name], () => s.api.schedCredit2Set(name, { ...(weight !== undefined ? { weight } : {}), ...(cap !== undefined ? { cap } : {}) })),
  );
  r.register('domain:attachDisk', (a) => changing(s, 'attach disk', [a.name], () => s.api.attachDisk(a)));
  r.register('domain:createDisk', (a) => changing(s, 'create disk', [a.name], () => s.api.createDisk(a)));
  r.register('domain:detachDisk', (a) => changing(s, 'detach disk', [a.name], () => s.api.detachDisk(a)));
  r.register('domain:cdInsert', (a) => changing(s, 'cd insert', [a.name], () => s.api.insertCd(a)));
  r.register('domain:cdEject', ({ name, vdev }) => changing(s, 'cd eject', [name], () => s.api.cdEject(name, vdev)));
  r.register('domain:attachNic', (a) => changing(s, 'attach nic', [a.name], () => s.api.attachNic(a)));
  r.register('domain:detachNic', (a) => changing(s, 'detach nic', [a.name], () => s.api.detachNic(a)));
}
