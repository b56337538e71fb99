import { z } from 'zod';
import { vdevKey } from './disk-spec';
import { bridgeProblem, domainNameProblem, macProblem, rulePredicate, vdevProblem } from './rules';
import { absPathProblem, findControlChar, describeControlChar } from './validate-helpers';
import { isUnicastMac, normaliseMac } from './vif-spec';

/**
 * The new-VM wizard's plan: everything the six steps collect. The renderer checks each step with `checkPlan` before
 * Next, main checks the whole plan again (gateway schema, then checkPlan, then the DomainConfig rules and the host's
 * files) before anything is written. Every problem names its plan field (`disks[1].path`) and, in words, the field.
 */

const MAX_MEMORY_MIB = 4 * 1024 * 1024; // 4 TiB: more than any guest this wizard makes.
const MAX_DISK_GIB = 16384; // 16 TiB: anything larger is a typo.

/** A host path the wizard writes into xl.cfg or hands to qemu-img: absolute, no `.`/`..`, no quotes or shell characters. */
const hostPath = z.string({ error: 'must be text' }).superRefine((p, ctx) => {
  const problem = absPathProblem(p);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/** A kernel command line: one line, no quotes or backslashes (xl.cfg string syntax), at most 1024 characters. */
const cmdlineSchema = z
  .string({ error: 'must be text' })
  .max(1024, 'is longer than 1024 characters')
  .superRefine((s, ctx) => {
    const ctl = findControlChar(s);
    if (ctl !== undefined) ctx.addIssue({ code: 'custom', message: `may not contain ${describeControlChar(ctl)}` });
    else if (/["'\\]/.test(s)) ctx.addIssue({ code: 'custom', message: 'may not contain quotes or backslashes' });
  });

/** A new domain's name: the one name rule, and not the host domain's. */
const nameSchema = rulePredicate(domainNameProblem).refine((n) => n !== 'Domain-0', 'may not be "Domain-0", the name of the host domain');

const vdevSchema = rulePredicate(vdevProblem);

const macSchema = z
  .string({ error: 'must be text' })
  .superRefine((m, ctx) => {
    const p = macProblem(m);
    if (p !== null) ctx.addIssue({ code: 'custom', message: p });
    else if (!isUnicastMac(m)) ctx.addIssue({ code: 'custom', message: 'must be a unicast address (first byte even, not all zeros)' });
  });

const bridgeSchema = rulePredicate(bridgeProblem);

const int = (min: number, max: number, unit: string) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}${unit}`)
    .max(max, `must be at most ${max}${unit}`);

/** One disk of a wizard plan: a new image to create, or an existing image, logical volume or device to use. */
export const wizardDiskSchema = z.discriminatedUnion(
  'mode',
  [
    z
      .object({
        mode: z.literal('new'),
        path: hostPath,
        sizeGiB: z
          .number({ error: 'must be a number' })
          .min(0.1, 'must be at least 0.1 GiB')
          .max(MAX_DISK_GIB, `must be at most ${MAX_DISK_GIB} GiB`)
          .refine((n) => Math.abs(n * 10 - Math.round(n * 10)) < 1e-9, 'must be a multiple of 0.1 GiB'),
        format: z.enum(['raw', 'qcow2'], { error: 'must be raw or qcow2' }),
        vdev: vdevSchema,
      })
      .strict(),
    z
      .object({
        mode: z.literal('existing'),
        path: hostPath,
        format: z.enum(['raw', 'qcow2', 'vhd'], { error: 'must be raw, qcow2 or vhd' }),
        vdev: vdevSchema,
      })
      .strict(),
  ],
  { error: 'must be a new or an existing disk' },
);

/** One NIC of a wizard plan. */
export const wizardNicSchema = z
  .object({
    bridge: bridgeSchema,
    mac: macSchema,
    model: z.enum(['e1000', 'rtl8139', 'virtio-net'], { error: 'must be e1000, rtl8139 or virtio-net' }).optional(),
  })
  .strict();

/** Install methods per guest type. */
export const METHODS_BY_TYPE = {
  hvm: ['iso', 'disk', 'pxe'],
  pv: ['kernel', 'pygrub'],
  pvh: ['kernel', 'pygrub'],
} as const;

/** Everything the wizard collected; main turns it into a DomainConfig, disks and a config file. */
export const wizardPlanSchema = z
  .object({
    type: z.enum(['pv', 'pvh', 'hvm'], { error: 'must be pv, pvh or hvm' }),
    method: z.enum(['iso', 'disk', 'pxe', 'kernel', 'pygrub'], { error: 'must be iso, disk, pxe, kernel or pygrub' }),
    preset: z.enum(['debian', 'ubuntu', 'fedora', 'alpine', 'windows', 'other'], { error: 'must be one of the presets' }),
    name: nameSchema,
    memoryMiB: int(32, MAX_MEMORY_MIB, ' MiB'),
    maxMemMiB: int(32, MAX_MEMORY_MIB, ' MiB'),
    vcpus: int(1, 128, ''),
    maxVcpus: int(1, 128, ''),
    iso: hostPath.optional(),
    kernel: hostPath.optional(),
    ramdisk: hostPath.optional(),
    cmdline: cmdlineSchema.optional(),
    disks: z.array(wizardDiskSchema, { error: 'must be a list' }).max(16, 'has more than 16 disks'),
    nics: z.array(wizardNicSchema, { error: 'must be a list' }).max(8, 'has more than 8 network interfaces'),
    vnc: z.boolean({ error: 'must be on or off' }),
    startNow: z.boolean({ error: 'must be on or off' }),
    autostart: z.boolean({ error: 'must be on or off' }),
    openConsole: z.boolean({ error: 'must be on or off' }),
    customise: z.boolean({ error: 'must be on or off' }),
    dryRun: z.boolean({ error: 'must be on or off' }),
  })
  .strict();

export type WizardPlan = z.infer<typeof wizardPlanSchema>;
export type WizardDisk = z.infer<typeof wizardDiskSchema>;
export type WizardNic = z.infer<typeof wizardNicSchema>;
export type WizardMethod = WizardPlan['method'];

/** One problem with a plan: `field` is its path in the plan ("disks[0].path"), `message` starts with the field in words. */
export interface PlanProblem {
  field: string;
  message: string;
}

/** Host facts some rules need. */
export interface PlanContext {
  usedNames?: readonly string[];
  usedMacs?: readonly string[];
  hostCpus?: number;
  /** false when qemu-img is missing: qcow2 images cannot be made. */
  qemuImg?: boolean;
}

/** The virtual device the install ISO gets in an HVM guest (qemu's secondary IDE master). */
export const ISO_VDEV = 'hdc';

const LABELS: Record<string, string> = {
  type: 'Guest type',
  method: 'Install method',
  preset: 'OS preset',
  name: 'Name',
  memoryMiB: 'Memory',
  maxMemMiB: 'Maximum memory',
  vcpus: 'vCPUs',
  maxVcpus: 'Maximum vCPUs',
  iso: 'Install ISO',
  kernel: 'Kernel',
  ramdisk: 'Ramdisk',
  cmdline: 'Kernel command line',
  disks: 'Disks',
  nics: 'Network interfaces',
  vnc: 'Graphical console (VNC)',
  startNow: 'Start now',
  autostart: 'Start at boot',
  openConsole: 'Open the console',
  customise: 'Customise before start',
  dryRun: 'Check with xl create -n',
};
const DISK_LABELS: Record<string, string> = { path: 'path', sizeGiB: 'size', format: 'format', vdev: 'device name', mode: 'kind' };
const NIC_LABELS: Record<string, string> = { bridge: 'bridge', mac: 'MAC address', model: 'model' };

/** The plan field `path` as a string: ['disks', 1, 'path'] -> "disks[1].path". */
export function planField(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${String(seg)}`;
  return out;
}

/** The plan field in words: "Memory", "Disk 2 path", "Network interface 1 MAC address". */
export function planLabel(path: readonly PropertyKey[]): string {
  const [head, index, sub] = path;
  if (head === undefined) return 'The plan';
  if ((head === 'disks' || head === 'nics') && typeof index === 'number') {
    const what = head === 'disks' ? 'Disk' : 'Network interface';
    if (sub === undefined) return `${what} ${index + 1}`;
    const names = head === 'disks' ? DISK_LABELS : NIC_LABELS;
    return `${what} ${index + 1} ${names[String(sub)] ?? String(sub)}`;
  }
  return LABELS[String(head)] ?? String(head);
}

function problem(path: (string | number)[], message: string): PlanProblem {
  return { field: planField(path), message: `${planLabel(path)} ${message}` };
}

/** The first message per field, in order. */
function dedupe(list: PlanProblem[]): PlanProblem[] {
  const seen = new Set<string>();
  return list.filter((p) => (seen.has(p.field) ? false : (seen.add(p.field), true)));
}

/** Whether an OS preset can run as `type`: Windows has no PV or PVH kernel, so only HVM. */
export function presetFitsType(preset: string, type: WizardPlan['type']): boolean {
  return preset !== 'windows' || type === 'hvm';
}

/** Rules that tie fields together (only run on a plan of the right shape). */
function crossProblems(plan: WizardPlan, ctx: PlanContext): PlanProblem[] {
  const out: PlanProblem[] = [];
  const add = (path: (string | number)[], message: string): void => {
    out.push(problem(path, message));
  };
  const hvm = plan.type === 'hvm';
  const methods: readonly string[] = METHODS_BY_TYPE[plan.type];
  if (!methods.includes(plan.method)) add(['method'], `"${plan.method}" is not available for a ${plan.type.toUpperCase()} guest (choose ${methods.join(' or ')})`);
  if (!presetFitsType(plan.preset, plan.type)) add(['preset'], `Windows runs only as an HVM guest, not ${plan.type.toUpperCase()}`);

  if (plan.method === 'iso' && plan.iso === undefined) add(['iso'], 'is required to install from an ISO');
  if (plan.method !== 'iso' && plan.iso !== undefined) add(['iso'], 'is only used when installing from an ISO');
  if (plan.method === 'kernel' && plan.kernel === undefined) add(['kernel'], 'is required for direct kernel boot');
  if (plan.method !== 'kernel') {
    if (plan.kernel !== undefined) add(['kernel'], 'is only used for direct kernel boot');
    if (plan.ramdisk !== undefined) add(['ramdisk'], 'is only used for direct kernel boot');
    if (plan.cmdline !== undefined) add(['cmdline'], 'is only used for direct kernel boot');
  }
  if ((plan.method === 'pygrub' || plan.method === 'disk') && plan.disks[0]?.mode !== 'existing') {
    add(plan.disks.length === 0 ? ['disks'] : ['disks', 0, 'mode'], `must ${plan.disks.length === 0 ? 'include' : 'be'} an existing disk image to boot from`);
  }
  if (plan.method === 'pxe' && plan.nics.length === 0) add(['nics'], 'must include one to boot from the network');

  if (plan.memoryMiB > plan.maxMemMiB) add(['memoryMiB'], `must not be more than the maximum memory (${plan.maxMemMiB} MiB)`);
  if (plan.vcpus > plan.maxVcpus) add(['vcpus'], `must not be more than the maximum vCPUs (${plan.maxVcpus})`);
  if (ctx.hostCpus !== undefined && plan.vcpus > ctx.hostCpus) add(['vcpus'], `must not be more than the host's ${ctx.hostCpus} CPUs`);
  if (ctx.usedNames?.includes(plan.name)) add(['name'], `"${plan.name}" is already used by another domain`);

  const vdevs = new Map<string, string>();
  if (hvm && plan.method === 'iso') vdevs.set(vdevKey(ISO_VDEV, true), 'the install ISO');
  const paths = new Map<string, number>();
  const isoLike = [plan.iso, plan.kernel, plan.ramdisk].filter((p) => p !== undefined);
  plan.disks.forEach((d, i) => {
    const key = vdevKey(d.vdev, hvm);
    const other = vdevs.get(key);
    if (other !== undefined) add(['disks', i, 'vdev'], `${d.vdev} is already used by ${other}`);
    else vdevs.set(key, `disk ${i + 1}`);
    const first = paths.get(d.path);
    if (first !== undefined) add(['disks', i, 'path'], `${d.path} is already disk ${first + 1}`);
    else paths.set(d.path, i);
    if (isoLike.includes(d.path)) add(['disks', i, 'path'], `${d.path} is also the ISO, kernel or ramdisk`);
    if (d.mode === 'new' && d.format === 'qcow2' && ctx.qemuImg === false) add(['disks', i, 'format'], 'qcow2 needs qemu-img, which the host does not have');
  });

  const taken = new Set((ctx.usedMacs ?? []).map((m) => normaliseMac(m)).filter((m) => m !== null));
  const macs = new Map<string, number>();
  plan.nics.forEach((n, i) => {
    const mac = normaliseMac(n.mac);
    if (mac === null) return;
    const first = macs.get(mac);
    if (first !== undefined) add(['nics', i, 'mac'], `${mac} is already network interface ${first + 1}`);
    else if (taken.has(mac)) add(['nics', i, 'mac'], `${mac} is already used by another domain`);
    macs.set(mac, i);
    if (!hvm && n.model !== undefined) add(['nics', i, 'model'], 'only applies to HVM guests');
  });
  return out;
}

/** Checks a plan (unknown input) against the schema and every rule tying fields together; [] when it is good. */
export function checkPlan(input: unknown, ctx: PlanContext = {}): PlanProblem[] {
  const parsed = wizardPlanSchema.safeParse(input);
  if (!parsed.success) {
    const out: PlanProblem[] = [];
    for (const issue of parsed.error.issues) {
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const path of paths) {
        const p = path as (string | number)[];
        const missing = issue.code === 'invalid_type' && valueAt(input, p) === undefined;
        out.push(problem(p, issue.code === 'unrecognized_keys' ? 'is not a wizard field' : missing ? 'is required' : issue.message));
      }
    }
    // A bad field on one step must not hide another step's cross-field problems (memory above maximum...):
    // the rules still run on what is there, and give up quietly where the shape is too wrong to read.
    let cross: PlanProblem[] = [];
    try {
      cross = crossProblems(input as WizardPlan, ctx);
    } catch {
      cross = [];
    }
    return dedupe([...out, ...cross]);
  }
  return dedupe(crossProblems(parsed.data, ctx));
}

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let cur = input;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** The wizard's steps, in order, with the plan fields each one owns (a problem is shown on the step owning its field). */
export const WIZARD_STEPS = [
  { id: 'type', title: 'Type and install method', fields: ['type', 'method'] },
  { id: 'source', title: 'Source', fields: ['iso', 'kernel', 'ramdisk', 'cmdline', 'preset'] },
  { id: 'cpu', title: 'CPU and memory', fields: ['memoryMiB', 'maxMemMiB', 'vcpus', 'maxVcpus'] },
  { id: 'storage', title: 'Storage', fields: ['disks'] },
  { id: 'network', title: 'Network', fields: ['nics'] },
  { id: 'finish', title: 'Name and finish', fields: ['name', 'vnc', 'startNow', 'autostart', 'openConsole', 'customise', 'dryRun'] },
] as const;

export type WizardStepId = (typeof WIZARD_STEPS)[number]['id'];

/** The step whose fields include `field` ("disks[1].path" belongs to storage); the last step for anything else. */
export function stepOfField(field: string): WizardStepId {
  const head = /^[A-Za-z]+/.exec(field)?.[0] ?? '';
  for (const s of WIZARD_STEPS) if ((s.fields as readonly string[]).includes(head)) return s.id;
  return 'finish';
}

/** The phases wizard:create runs for a plan, in order (the renderer lists them before they start). */
export function plannedPhases(plan: Pick<WizardPlan, 'disks' | 'dryRun' | 'autostart' | 'startNow' | 'customise'>): WizardPhase[] {
  const out: WizardPhase[] = ['validate'];
  if (plan.disks.some((d) => d.mode === 'new')) out.push('disks');
  out.push('config');
  if (plan.dryRun) out.push('check');
  if (plan.autostart) out.push('autostart');
  if (plan.startNow && !plan.customise) out.push('start');
  return out;
}

/** One phase of wizard:create. */
export type WizardPhase = 'validate' | 'disks' | 'config' | 'check' | 'autostart' | 'start' | 'cleanup';

/** Phase names in words. */
export const PHASE_WORDS: Record<WizardPhase, string> = {
  validate: 'Check the plan',
  disks: 'Create disk images',
  config: 'Write the config file',
  check: 'Check it with xl create -n',
  autostart: 'Start at boot',
  start: 'Start the domain (xl create)',
  cleanup: 'Remove what was created',
};

/** A new disk's vdev that collides with nothing the plan uses: xvda, xvdb, then skipping the ISO's IDE slot in HVM. */
export function nextDiskVdev(used: readonly string[], hvmWithIso: boolean): string {
  const keys = new Set(used.map((v) => vdevKey(v, true)));
  if (hvmWithIso) keys.add(vdevKey(ISO_VDEV, true));
  for (let i = 0; i < 26; i++) {
    const v = `xvd${String.fromCharCode(97 + i)}`;
    if (!keys.has(vdevKey(v, true)) && !used.includes(v)) return v;
  }
  return 'xvdz';
}
