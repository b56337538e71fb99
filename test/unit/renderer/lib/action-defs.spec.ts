import { describe, expect, it } from 'vitest';
import type { DomainSummary } from '../../../../src/shared/dto';
import { ACTIONS, applicable, canDo, type ActionId } from '../../../../src/renderer/lib/action-defs';

function dom(p: Partial<DomainSummary>): DomainSummary {
  return { name: 'x', domid: 1, uuid: null, type: 'pvh', state: 'running', stateFlags: 'r-----', vcpus: 1, maxVcpus: 1, memoryMiB: 1, maxMemMiB: 1, cpuTimeS: 0, uptimeS: 0, configPath: '/etc/xen/x.cfg', autostart: false, hasVnc: false, isDom0: false, savedFile: null, ...p };
}

const allowed = (d: DomainSummary) => ACTIONS.map((a) => a.id).filter((id) => canDo(id, d));

describe('which actions apply', () => {
  it('offers start, clone and delete only to stopped domains with a config', () => {
    expect(allowed(dom({ state: 'stopped', domid: null }))).toEqual(['start', 'clone', 'autostart-on', 'delete']);
    expect(allowed(dom({ state: 'stopped', domid: null, configPath: null }))).toEqual([]);
  });
  it('offers pause to running, resume to paused, and nothing that stops dom0', () => {
    expect(allowed(dom({}))).toEqual(['shutdown', 'reboot', 'pause', 'destroy', 'save', 'autostart-on']);
    expect(allowed(dom({ state: 'paused' }))).toEqual(['unpause', 'destroy', 'save', 'autostart-on']);
    expect(allowed(dom({ isDom0: true, configPath: null, domid: 0 }))).toEqual([]);
  });
  it('offers the autostart switch that flips the current value', () => {
    expect(canDo('autostart-off', dom({ autostart: true }))).toBe(true);
    expect(canDo('autostart-on', dom({ autostart: true }))).toBe(false);
  });
  it('filters a selection to the domains an action applies to', () => {
    const sel = [dom({ name: 'a' }), dom({ name: 'b', state: 'paused' }), dom({ name: 'c', state: 'stopped' })];
    const names = (id: ActionId) => applicable(id, sel).map((d) => d.name);
    expect(names('pause')).toEqual(['a']);
    expect(names('unpause')).toEqual(['b']);
    expect(names('start')).toEqual(['c']);
    expect(names('destroy')).toEqual(['a', 'b']);
  });
  it('has one distinct key per action except the autostart pair', () => {
    const keys = ACTIONS.filter((a) => a.id !== 'autostart-off').map((a) => a.key);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
