import { describe, expect, it } from 'vitest';
import { absPathSchema, domainNameSchema, macSchema, vdevSchema, bridgeSchema } from '../../../src/shared/schemas';
import { absPathProblem, bridgeProblem, domainNameProblem, macProblem, vdevProblem } from '../../../src/shared/rules';
import { validateDomainConfig } from '../../../src/shared/domain-config';
import { checkPlan } from '../../../src/shared/wizard-plan';
import { buildCommand } from '../../../src/xen/commands/build';
import { checkAbsPath, checkDomainName, checkMac, checkVdev } from '../../../src/xen/ops/validate';

// One home per rule: every place that checks a name, path, device, MAC or bridge gives the same answer as the rule
// in src/shared/rules.ts, for ordinary and hostile values alike.

const NAMES = ['web01', 'a', '_x', 'db.2', 'x-y', 'a'.repeat(64), '', '-x', '.hidden', '..', 'a b', 'a;b', '$(id)', 'a\nb', 'a'.repeat(65), '123', '0', 'é', 'a/b', 'a"b', "a'b", 'Domain-0', 'x\u202e'];
const PATHS = ['/var/lib/xen/images/a.img', '/a', '/a/b-c_d+e@f:g%h~i', 'relative', '', '/', '/a/../b', '/a/./b', '//a', '/a/', '/a b', '/a,b', '/a=b', '/a"b', "/a'b", '/a\\b', '/a\nb', '/a\0b', `/${'x'.repeat(5000)}`, '/a;b', '/$(id)', '/a`b`'];
const MACS = ['00:16:3e:00:00:01', 'AA:BB:CC:DD:EE:FF', '00:16:3e:00:00', '00-16-3e-00-00-01', 'zz:16:3e:00:00:01', '00:16:3e:00:00:01:02', '', ' 00:16:3e:00:00:01'];
const VDEVS = ['xvda', 'xvdb1', 'hdc', 'sda', 'xvdaa', 'xvd', 'xvdA', 'hde', 'sdq', '-x', 'xvda;', '', 'hda64'];
const BRIDGES = ['xenbr0', 'br-lan', 'a'.repeat(15), 'a'.repeat(16), '', '-x', '.x', 'br 0', 'br;0', 'br/0'];

const ok = (r: { success: boolean }): boolean => r.success;
const threw = (f: () => unknown): boolean => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

describe('one rule per value', () => {
  it('domain names: IPC schema, src/xen, the command table, the config model and the wizard agree', () => {
    for (const n of NAMES) {
      const rule = domainNameProblem(n) === null;
      expect([n, ok(domainNameSchema.safeParse(n))]).toEqual([n, rule]);
      expect([n, threw(() => checkDomainName(n))]).toEqual([n, rule]);
      expect([n, threw(() => buildCommand('domain.rename', { dom: 'web', newName: n }))]).toEqual([n, rule]);
      // A new domain may also not take the host domain's name.
      const asNew = rule && n !== 'Domain-0';
      const cfg = validateDomainConfig({ name: n, type: 'pv', memory: 256, vcpus: 1, kernel: '/boot/vmlinuz', disks: [], vifs: [] });
      expect([n, cfg.ok || !('errors' in cfg) || !cfg.errors.some((e) => e.field === 'name')]).toEqual([n, asNew]);
      expect([n, !checkPlan({ name: n }).some((p) => p.field === 'name')]).toEqual([n, asNew]);
    }
  });

  it('paths, MACs, devices and bridges: IPC schema, src/xen and the command table agree with the rule', () => {
    for (const p of PATHS) {
      const rule = absPathProblem(p) === null;
      expect([p, ok(absPathSchema.safeParse(p))]).toEqual([p, rule]);
      expect([p, threw(() => checkAbsPath(p))]).toEqual([p, rule && p !== '/']);
      expect([p, threw(() => buildCommand('domain.restore', { file: p }))]).toEqual([p, rule]);
    }
    for (const m of MACS) {
      const rule = macProblem(m) === null;
      expect([m, ok(macSchema.safeParse(m))]).toEqual([m, rule]);
      expect([m, threw(() => checkMac(m))]).toEqual([m, rule]);
    }
    for (const v of VDEVS) {
      const rule = vdevProblem(v) === null;
      expect([v, ok(vdevSchema.safeParse(v))]).toEqual([v, rule]);
      expect([v, threw(() => checkVdev(v))]).toEqual([v, rule]);
      expect([v, threw(() => buildCommand('domain.cdEject', { dom: 'web', vdev: v }))]).toEqual([v, rule]);
    }
    for (const b of BRIDGES) expect([b, ok(bridgeSchema.safeParse(b))]).toEqual([b, bridgeProblem(b) === null]);
  });
});
