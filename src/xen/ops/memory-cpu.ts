import { parseXlSchedCredit2 } from '../parse/xl-sched-credit2';
import { parseXlVcpuList } from '../parse/xl-vcpu-list';
import type { OpsContext } from './context';
import { checkCpuList, checkDomainRef, checkInt, invalidArg, type DomainRef } from './validate';

// 16 TiB in MiB: far above any host, low enough that the number stays exact and xl's parser accepts it.
const MAX_MIB = 16 * 1024 * 1024;

/** Sets a running domain's balloon target (`xl mem-set DOM <N>m`); xl refuses a target above maxmem. */
export async function memSet(ctx: OpsContext, dom: DomainRef, mib: number): Promise<void> {
  const ref = checkDomainRef(dom);
  const n = checkInt(mib, 'mib', 1, MAX_MIB);
  await ctx.run('domain.memSet', { dom: ref, mib: n });
}

/** Sets the most memory Xen lets a running domain have (`xl mem-max DOM <N>m`). */
export async function memMax(ctx: OpsContext, dom: DomainRef, mib: number): Promise<void> {
  const ref = checkDomainRef(dom);
  const n = checkInt(mib, 'mib', 1, MAX_MIB);
  await ctx.run('domain.memMax', { dom: ref, mib: n });
}

/** Sets how many vCPUs are online (`xl vcpu-set [--ignore-host] DOM N`); xl refuses more than maxvcpus. */
export async function vcpuSet(ctx: OpsContext, dom: DomainRef, count: number, o: { ignoreHost?: boolean } = {}): Promise<void> {
  const ref = checkDomainRef(dom);
  const n = checkInt(count, 'count', 1, 512);
  await ctx.run('domain.vcpuSet', { dom: ref, count: n, ignoreHost: o.ignoreHost === true });
}

/** Pins a vCPU (or all) to host CPUs (`xl vcpu-pin DOM VCPU HARD [SOFT]`); "-" leaves an affinity alone. */
export async function vcpuPin(ctx: OpsContext, dom: DomainRef, vcpu: number | 'all', hard: string, soft?: string): Promise<void> {
  const ref = checkDomainRef(dom);
  const v = vcpu === 'all' ? 'all' : checkInt(vcpu, 'vcpu', 0, 511);
  const h = checkCpuList(hard, 'hard');
  await ctx.run('domain.vcpuPin', { dom: ref, vcpu: v, hard: h, ...(soft === undefined ? {} : { soft: checkCpuList(soft, 'soft') }) });
}

/** The vCPUs of one domain, or of all (`xl vcpu-list [DOM]`). */
export async function vcpuList(ctx: OpsContext, dom?: DomainRef): Promise<ReturnType<typeof parseXlVcpuList>> {
  return parseXlVcpuList(await ctx.out('domains.vcpuList', dom === undefined ? {} : { dom: checkDomainRef(dom) }));
}

/** Credit2 weights and caps of one domain or all (`xl sched-credit2 [-d DOM]`). */
export async function schedCredit2(ctx: OpsContext, dom?: DomainRef): Promise<ReturnType<typeof parseXlSchedCredit2>> {
  return parseXlSchedCredit2(await ctx.out('domains.schedCredit2', dom === undefined ? {} : { dom: checkDomainRef(dom) }));
}

/** Sets a domain's credit2 weight and/or cap (`xl sched-credit2 -d DOM [-w W] [-c C]`). */
export async function schedCredit2Set(ctx: OpsContext, dom: DomainRef, p: { weight?: number; cap?: number }): Promise<void> {
  const ref = checkDomainRef(dom);
  const weight = p.weight !== undefined ? checkInt(p.weight, 'weight', 1, 65535) : undefined;
  // Cap is a percentage of one pCPU: 100 per vCPU at most, 0 meaning none.
  const cap = p.cap !== undefined ? checkInt(p.cap, 'cap', 0, 51200) : undefined;
  if (weight === undefined && cap === undefined) throw invalidArg('weight', 'give a weight, a cap or both');
  await ctx.run('domain.schedSet', { dom: ref, ...(weight !== undefined ? { weight } : {}), ...(cap !== undefined ? { cap } : {}) });
}
