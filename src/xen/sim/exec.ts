import { XenError } from '../errors';
import type { HostFs, RunOptions, RunResult, XenProgram } from '../runner/types';
import { SimFailure, type SimHost } from './host';
import { parseXentopArgs, runBrctl, runIp, runXenstore, XentopSampler } from './tools';
import { simLvMerge } from './storage-snapshots';
import { simDf, simFindmnt, simMount, simUmount, simLsblk, simLvcreate, simLvextend, simLvreduce, simLvremove, simLvs, simQemuImg, simVgcreate, simVgs, type StorageTools } from './storage-tools';
import type { VncPool } from './vnc-pool';
import { runXl } from './xl';

/** What the demo host's programs act on. */
export interface SimTools extends StorageTools {
  readonly host: SimHost;
  readonly fs: HostFs;
  readonly vnc: VncPool;
  sleep(ms: number): Promise<void>;
}

type Program = (t: SimTools, program: XenProgram, args: readonly string[]) => Promise<RunResult> | RunResult;
const ok = (stdout: string): RunResult => ({ stdout, stderr: '', exitCode: 0 });

async function xentop(t: SimTools, _p: XenProgram, args: readonly string[]): Promise<RunResult> {
  const o = parseXentopArgs(args);
  const sampler = new XentopSampler(t.host, o.fullNames);
  let stdout = '';
  for (let k = 0; k < (o.iterations ?? 1); k++) {
    if (k > 0) await t.sleep(t.host.delay(o.delayS * 1000));
    stdout += sampler.frame();
  }
  return ok(stdout);
}

/** xenstore-read/-ls/-list; vnc-port is known once the RFB server listens, so this waits for it rather than say "missing". */
async function xenstore(t: SimTools, program: XenProgram, args: readonly string[]): Promise<RunResult> {
  const paths = args.filter((a) => !a.startsWith('-'));
  for (const p of paths.length ? paths : ['/']) {
    const m = /^\/local\/domain\/([0-9]+)/.exec(p);
    // A listing of every domain (the networks view, the guests' addresses) shows the ports of the servers that run:
    // it would otherwise open a socket for each of hundreds of seeded HVM guests that nobody is looking at.
    if (m?.[1] !== undefined) t.vnc.ensure(Number(m[1]));
  }
  const ports = await t.vnc.ports();
  return ok(
    runXenstore(t.host, program as Parameters<typeof runXenstore>[1], args, (domid) => {
      const tty = `/dev/pts/${(domid % 60) + 1}`;
      const port = ports.get(domid);
      return port !== undefined ? { tty, vncPort: port } : { tty };
    }),
  );
}

/** Each program the demo host answers; anything else is "not available", as on a dom0 without it. */
const PROGRAMS: Partial<Record<XenProgram, Program>> = {
  xl: (t, program, args) => {
    if (args.find((a) => !a.startsWith('-')) === 'console') throw new XenError('UNSUPPORTED', 'xl console needs a terminal: use pty()', { argv: [program, ...args] });
    return runXl({ host: t.host, fs: t.fs, sleep: (ms) => t.sleep(ms) }, args);
  },
  xentop,
  'xenstore-read': xenstore,
  'xenstore-ls': xenstore,
  'xenstore-list': xenstore,
  ip: (t, _p, args) => ok(runIp(t.host, args)),
  brctl: (t, _p, args) => ok(runBrctl(t.host, args)),
  'qemu-img': (t, _p, args) => simQemuImg(t, args),
  df: (t, _p, args) => simDf(t, args),
  lsblk: (t) => simLsblk(t),
  vgs: (t) => simVgs(t),
  lvs: (t) => simLvs(t),
  lvcreate: (t, _p, args) => simLvcreate(t, args),
  lvconvert: (t, _p, args) => simLvMerge(t, args),
  lvremove: (t, _p, args) => simLvremove(t, args),
  lvextend: (t, _p, args) => simLvextend(t, args),
  lvreduce: (t, _p, args) => simLvreduce(t, args),
  vgcreate: (t, _p, args) => simVgcreate(t, args),
  findmnt: (t) => simFindmnt(t),
  mount: (t, _p, args) => simMount(t, args),
  umount: (t, _p, args) => simUmount(t, args),
};

/** Answers one argv as the real program would: its output, or its stderr and exit code. */
export async function simExec(t: SimTools, program: XenProgram, args: readonly string[]): Promise<RunResult> {
  const f = PROGRAMS[program];
  if (!f) return { stdout: '', stderr: `${program}: not available on the demo host\n`, exitCode: 127 };
  try {
    return await f(t, program, args);
  } catch (e) {
    if (e instanceof SimFailure) return { stdout: e.stdout, stderr: e.stderr, exitCode: e.exitCode };
    throw e;
  }
}

/** Runs `work` under the caller's timeout and abort signal, with the local runner's errors. */
export async function withGuards(program: XenProgram, args: readonly string[], ro: RunOptions | undefined, work: () => Promise<RunResult>): Promise<RunResult> {
  const argv = [program, ...args];
  if (ro?.signal?.aborted) throw new XenError('ABORTED', `${program} aborted`, { argv });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const guards: Promise<never>[] = [];
  const ms = ro?.timeoutMs;
  if (ms !== undefined) {
    guards.push(new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new XenError('TIMEOUT', `${program} timed out after ${ms} ms`, { argv })), ms))));
  }
  const sig = ro?.signal;
  if (sig) {
    guards.push(
      new Promise<never>((_, reject) => {
        onAbort = () => reject(new XenError('ABORTED', `${program} aborted`, { argv }));
        sig.addEventListener('abort', onAbort, { once: true });
      }),
    );
  }
  try {
    return await Promise.race([work(), ...guards]);
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) sig?.removeEventListener('abort', onAbort);
  }
}
