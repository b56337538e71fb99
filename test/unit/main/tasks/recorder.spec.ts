import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandlerRegistry } from '../../../../src/main/gateway/registry';
import { TaskRecorder } from '../../../../src/main/tasks/recorder';
import { TaskLog } from '../../../../src/main/tasks/task-log';
import { commandFailure } from '../../../../src/xen/runner/xl-stderr';
import { XenError } from '../../../../src/xen/errors';
import type { TaskRecord } from '../../../../src/shared/tasks';

let dir: string;
let clock: number;
let events: TaskRecord[];
let registry: HandlerRegistry;
let recorder: TaskRecorder;
let log: TaskLog;

const ctx = { clientId: 'ws-1-abcd', client: 'browser 127.0.0.1' };

/** A handler that takes `ms` of the fake clock. */
const taking = (ms: number) => () => {
  clock += ms;
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xenith-recorder-'));
  clock = 1_700_000_000_000;
  events = [];
  log = await TaskLog.open(join(dir, 'tasks.jsonl'));
  recorder = new TaskRecorder({ log, emit: (r) => events.push(r), host: () => 'demo host', user: 'alice', now: () => clock });
  registry = new HandlerRegistry();
  registry.observe(recorder);
});
afterEach(async () => {
  await log.flush();
  rmSync(dir, { recursive: true, force: true });
});

describe('the task recorder', () => {
  it('records an operation that worked: who, where, which domain, when, how long, announced as it starts and ends', async () => {
    registry.register('domain:pause', taking(1500));
    expect((await registry.invoke('domain:pause', { name: 'web' }, ctx)).ok).toBe(true);
    const [t] = recorder.list();
    expect(t).toMatchObject({
      channel: 'domain:pause',
      operation: 'Pause',
      domains: ['web'],
      host: 'demo host',
      user: 'alice',
      client: 'browser 127.0.0.1',
      startedAt: 1_700_000_000_000,
      endedAt: 1_700_000_001_500,
      durationMs: 1500,
      state: 'ok',
      error: null,
    });
    expect(events.map((e) => e.state)).toEqual(['running', 'ok']);
    expect(events[0]?.id).toBe(t?.id);
  });

  it('records a failure with its code, Xenith\'s message, the cause in plain words and xl\'s own stderr', async () => {
    const stderr = 'libxl: error: libxl_device.c:1286:device_hotplug_child_death_cb: script: Could not find bridge device xenbr9\nlibxl: error: libxl_create.c:1862:domcreate_attach_devices: unable to add nic devices\n';
    registry.register('domain:start', () => {
      throw commandFailure(['xl', 'create', '/etc/xen/web.cfg'], 3, stderr);
    });
    const answer = await registry.invoke('domain:start', { name: 'web' }, ctx);
    expect(answer.ok).toBe(false);
    const [t] = recorder.list();
    expect(t?.state).toBe('failed');
    expect(t?.error).toEqual({
      code: 'XL_FAILED',
      message: 'script: Could not find bridge device xenbr9',
      cause: 'The bridge xenbr9 does not exist on this host',
      xl: stderr.trim(),
    });
  });

  it('records a cancelled job as cancelled', async () => {
    registry.register('storage:volumeClone', () => {
      throw new XenError('ABORTED', 'The copy was cancelled');
    });
    await registry.invoke('storage:volumeClone', { pool: 'default', name: 'a', newName: 'b', jobId: 'job-12345678' }, ctx);
    expect(recorder.list()[0]).toMatchObject({ state: 'cancelled', operation: 'Clone volume a to b in pool default' });
  });

  it('records nothing for reads, sessions and refused arguments', async () => {
    registry.register('domains:list', () => []);
    registry.register('console:write', () => undefined);
    registry.register('domain:pause', taking(1));
    await registry.invoke('domains:list', {}, ctx);
    await registry.invoke('console:write', { id: 'abcdefgh12', data: 'secret password\n' }, ctx);
    await registry.invoke('domain:pause', { name: '$(reboot)' }, ctx);
    await log.flush();
    expect(recorder.list()).toEqual([]);
    expect(events).toEqual([]);
    expect(() => readFileSync(join(dir, 'tasks.jsonl'))).toThrow();
  });

  it('shows a long job\'s progress while it runs and keeps its last words', async () => {
    let during: TaskRecord | undefined;
    registry.register('storage:volumeClone', async (_a, c) => {
      c.progress?.('Copying a to b: 40%');
      during = recorder.list()[0];
      c.progress?.('Copying a to b: 100%');
      return { path: '/var/lib/xen/images/b.img' };
    });
    await registry.invoke('storage:volumeClone', { pool: 'default', name: 'a', newName: 'b', jobId: 'job-12345678' }, ctx);
    expect(during).toMatchObject({ state: 'running', progress: 'Copying a to b: 40%' });
    expect(events.map((e) => `${e.state} ${e.progress ?? ''}`)).toEqual(['running ', 'running Copying a to b: 40%', 'running Copying a to b: 100%', 'ok Copying a to b: 100%']);
  });

  it('says what xl save is doing while it runs, and writes the start and the end to the file', async () => {
    let during: TaskRecord | undefined;
    registry.register('domain:save', () => {
      during = recorder.list()[0];
      clock += 4000;
    });
    await registry.invoke('domain:save', { name: 'web', file: '/var/lib/xen/save/web.save' }, ctx);
    expect(during).toMatchObject({ state: 'running', progress: "xl save is writing web's memory to /var/lib/xen/save/web.save" });
    expect(recorder.list()[0]).toMatchObject({ state: 'ok', durationMs: 4000, progress: null });
    await log.flush();
    const lines = readFileSync(join(dir, 'tasks.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TaskRecord);
    expect(lines.map((l) => l.state)).toEqual(['running', 'ok']);
  });

  it('never writes a secret from the arguments, even when an error echoes it', async () => {
    registry.register('domain:configSave', () => {
      throw new XenError('INVALID_ARG', 'vncpasswd: "hunter2" is longer than 8 characters', { stderr: 'vncpasswd = "hunter2"' });
    });
    await registry.invoke('domain:configSave', { name: 'win', text: 'name = "win"\nvncpasswd = "hunter2"\n', expectedText: '' }, ctx);
    await log.flush();
    expect(recorder.list()[0]?.error?.message).toBe('vncpasswd: "••••" is longer than 8 characters');
    expect(readFileSync(join(dir, 'tasks.jsonl'), 'utf8')).not.toContain('hunter2');
    expect(JSON.stringify(events)).not.toContain('hunter2');
  });

  it('never writes a password set inside a device string, and keeps a task with a very long path readable after a restart', async () => {
    registry.register('domain:configSave', () => {
      throw new XenError('INVALID_ARG', 'vfb[0]: vnc=1,vncpasswd=s3cr3tpw is not valid', {});
    });
    await registry.invoke('domain:configSave', { name: 'win', text: 'name = "win"\nvfb = [ "vnc=1,vncpasswd=s3cr3tpw" ]\n', expectedText: '' }, ctx);
    const long = `/var/lib/xen/save/${'d'.repeat(900)}.save`;
    registry.register('domain:save', () => undefined);
    await registry.invoke('domain:save', { name: 'web', file: long }, ctx);
    await log.flush();
    expect(readFileSync(join(dir, 'tasks.jsonl'), 'utf8')).not.toContain('s3cr3tpw');
    const again = await TaskLog.open(join(dir, 'tasks.jsonl'));
    expect(again.list().map((r) => r.channel)).toEqual(['domain:save', 'domain:configSave']);
    expect(again.list()[0]?.operation.length).toBeLessThanOrEqual(600);
    await again.flush();
  });

  it('fails a bulk action when one domain failed, naming it with xl\'s words', async () => {
    registry.register('domains:bulk', () => [
      { name: 'a', ok: true },
      { name: 'b', ok: false, error: { code: 'XL_FAILED', message: 'b is an invalid domain identifier', detail: { stderr: 'b is an invalid domain identifier (rc=-6)' } } },
    ]);
    await registry.invoke('domains:bulk', { action: 'pause', names: ['a', 'b'] }, ctx);
    expect(recorder.list()[0]).toMatchObject({
      operation: 'Pause (2 domains)',
      domains: ['a', 'b'],
      state: 'failed',
      error: { code: 'XL_FAILED', message: '1 of 2 failed. b: b is an invalid domain identifier', cause: null, xl: 'b:\nb is an invalid domain identifier (rc=-6)' },
    });
  });

  it('a recorder that throws never fails the call it follows', async () => {
    const broken = new HandlerRegistry();
    broken.observe({
      begin: () => ({
        progress: () => {
          throw new Error('disk full');
        },
        end: () => {
          throw new Error('disk full');
        },
      }),
    });
    broken.register('domain:pause', (_a, c) => c.progress?.('halfway'));
    expect(await broken.invoke('domain:pause', { name: 'web' }, ctx)).toEqual({ ok: true, value: null });
  });
});
