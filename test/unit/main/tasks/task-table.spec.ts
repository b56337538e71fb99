import { describe, expect, it } from 'vitest';
import { channels, contract } from '../../../../src/shared/contract';
import { describeTask, TASK_TABLE } from '../../../../src/main/tasks/task-table';

describe('the task table', () => {
  it('lists every contract channel exactly once, as read, session or task, and nothing else', () => {
    const listed = Object.keys(TASK_TABLE).sort();
    // A new channel in the contract that is in neither column fails here (and in typecheck): no change goes unlogged.
    expect(listed).toEqual(Object.keys(contract).sort());
    for (const c of channels) {
      const entry = TASK_TABLE[c];
      expect(entry === 'read' || entry === 'session' || typeof entry === 'function', c).toBe(true);
    }
  });

  it('logs no read: lists, details, host facts, config reads, dry runs, previews, the file chooser, the log itself, graph history', () => {
    const reads = ['app:status', 'host:info', 'host:dmesg', 'domains:list', 'domain:details', 'domain:configGet', 'domain:configCheck', 'files:list', 'wizard:options', 'wizard:preview', 'storage:overview', 'storage:devices', 'storage:isos', 'tasks:list', 'history:read', 'domain:clonePreview', 'snapshot:list', 'networks:list', 'domains:addresses', 'storage:uploadPick'] as const;
    for (const c of reads) expect(TASK_TABLE[c], c).toBe('read');
    expect(channels.filter((c) => TASK_TABLE[c] === 'read').sort()).toEqual([...reads].sort());
  });

  it('logs no console or window session: keystrokes and VNC passwords never reach the log', () => {
    const sessions = channels.filter((c) => TASK_TABLE[c] === 'session').sort();
    expect(sessions).toEqual(['console:ack', 'console:close', 'console:open', 'console:resize', 'console:write', 'storage:transferTicket', 'vnc:close', 'vnc:open', 'window:detachConsole']);
    expect(describeTask('console:write', { id: 'abcdefgh12', data: 'root\n' })).toBeNull();
  });

  it('names each change in plain words with its domain', () => {
    expect(describeTask('domain:pause', { name: 'web' })).toEqual({ operation: 'Pause', domains: ['web'] });
    expect(describeTask('domain:unpause', { name: 'web' })).toEqual({ operation: 'Resume', domains: ['web'] });
    expect(describeTask('domain:save', { name: 'web', file: '/var/lib/xen/save/web.save' })).toEqual({
      operation: 'Save to /var/lib/xen/save/web.save',
      domains: ['web'],
      running: "xl save is writing web's memory to /var/lib/xen/save/web.save",
    });
    expect(describeTask('domain:restore', { file: '/var/lib/xen/save/web.save' })?.domains).toEqual([]);
    expect(describeTask('storage:volumeCreate', { pool: 'default', name: 'data', sizeGiB: 10 })?.operation).toBe('Create 10 GiB volume data in pool default');
    expect(describeTask('domain:setMemory', { name: 'db', targetMiB: 1024, apply: 'both' })?.operation).toBe('Set memory target 1024 MiB (now and at next start)');
    expect(describeTask('domain:pinVcpu', { name: 'db', vcpu: 0, cpus: '0-3' })?.operation).toBe('Pin vCPU 0 to host CPUs 0-3');
  });

  it('names the keys a config patch changes, never their values', () => {
    const t = describeTask('domain:configPatch', { name: 'win', patch: { vncpasswd: 'hunter2', vnc: true }, expectedText: 'vncpasswd = "old"' });
    expect(t?.operation).toBe('Change vncpasswd, vnc in the config file');
    expect(JSON.stringify(t)).not.toMatch(/hunter2|old/);
  });

  it('says how many domains a bulk action touched and keeps at most 64 names', () => {
    const names = Array.from({ length: 100 }, (_, i) => `vm-${i}`);
    const t = describeTask('domains:bulk', { action: 'shutdown', names });
    expect(t?.operation).toBe('Shut down (100 domains)');
    expect(t?.domains).toHaveLength(64);
  });
});
