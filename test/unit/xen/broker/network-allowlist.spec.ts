import { describe, expect, it } from 'vitest';
import { checkRun, createGuards } from '../../../../src/xen/broker/allowlist';
import { DEFAULT_BROKER_POLICY } from '../../../../src/xen/broker/policy';
import { buildCommand } from '../../../../src/xen/commands/build';

// What root runs for the Networks view: ip's read-only JSON of links, addresses and the neighbour table. Anything
// that changes dom0's network (the admin's own connection) or reaches another namespace is refused.
const guards = createGuards(DEFAULT_BROKER_POLICY);

describe("the broker's check of the network reads", () => {
  it('builds exactly these argvs from the table and lets them through', async () => {
    const argv = (op: 'net.links' | 'net.addrs' | 'net.neighbours') => buildCommand(op, {}).argv;
    expect(argv('net.links')).toEqual(['-j', '-s', '-d', 'link', 'show']);
    expect(argv('net.addrs')).toEqual(['-j', 'addr', 'show']);
    expect(argv('net.neighbours')).toEqual(['-j', 'neigh', 'show']);
    for (const op of ['net.links', 'net.addrs', 'net.neighbours'] as const) {
      await expect(checkRun('ip', argv(op), guards)).resolves.toEqual({ program: 'ip', args: argv(op) });
    }
  });

  it('takes no arguments for them: a device, a namespace or a flag is refused by the schema, naming it', () => {
    expect(() => buildCommand('net.neighbours', { dev: 'xenbr0' })).toThrow(/dev/);
    expect(() => buildCommand('net.links', { netns: 'other' })).toThrow(/netns/);
  });

  it('refuses every ip use that changes the network or leaves dom0\'s namespace', async () => {
    const hostile = [
      ['neigh', 'add', '10.0.0.1', 'lladdr', '00:16:3e:00:00:01', 'dev', 'xenbr0'],
      ['-j', 'neigh', 'flush', 'all'],
      ['neigh', 'del', '10.0.0.1', 'dev', 'xenbr0'],
      ['link', 'set', 'eth0', 'down'],
      ['-j', 'link', 'delete', 'xenbr0'],
      ['addr', 'flush', 'dev', 'xenbr0'],
      ['-n', 'other', 'link', 'show'],
      ['-batch', '/tmp/cmds'],
      ['-force', 'link', 'show'],
      ['netns', 'exec', 'x', 'sh'],
      ['rule', 'show'],
      ['-j', 'neigh', 'show', 'dev', '$(reboot)'],
      ['-j', 'neigh', 'show', '--', '-x'],
    ];
    for (const args of hostile) await expect(checkRun('ip', args, guards), args.join(' ')).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });

  it('reads the whole of /local/domain with xenstore-ls and nothing but reads', async () => {
    const argv = buildCommand('xenstore.list', { path: '/local/domain' }).argv;
    expect(argv).toEqual(['-f', '/local/domain']);
    await expect(checkRun('xenstore-ls', argv, guards)).resolves.toBeTruthy();
    expect(() => buildCommand('xenstore.list', { path: '/local/domain/../..' })).toThrow();
  });
});
