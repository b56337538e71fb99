import { describe, expect, it } from 'vitest';
import type { WizardOptions, WizardPreview } from '../../../../src/shared/contract-types';
import type { ErrorInfo } from '../../../../src/renderer/lib/errors';
import { initialWizardState, wizardReducer, type WizardAction, type WizardState } from '../../../../src/renderer/views/wizard/wizard-state';

const opts: WizardOptions = {
  guestTypes: [
    { type: 'hvm', available: true, reason: 'hvm is available' },
    { type: 'pv', available: true, reason: 'pv is available' },
    { type: 'pvh', available: true, reason: 'pvh is available' },
  ],
  bridges: ['xenbr0'],
  hostCpus: 4,
  freeMemMiB: 8192,
  totalMemMiB: 16384,
  imageDir: '/var/lib/xen/images',
  imageDirFreeBytes: 1e11,
  configDir: '/etc/xen',
  qemuImg: true,
  presets: [{ id: 'debian', label: 'Debian', memoryMiB: 2048, diskGiB: 20, vcpus: 2, viridian: false }],
  usedNames: ['debian-1'],
  usedMacs: [],
  suggestedMac: '00:16:3e:00:00:01',
  pools: [],
};

const failure: ErrorInfo = { code: 'UNKNOWN', words: 'Something went wrong.', message: 'no host', detail: null, field: null, cause: null };

function run(...actions: WizardAction[]): WizardState {
  return actions.reduce(wizardReducer, initialWizardState);
}

describe('wizardReducer: loading', () => {
  it('builds the first draft from the host options and keeps it on a reload', () => {
    const s = run({ type: 'loaded', opts });
    expect(s.opts).toBe(opts);
    expect(s.draft?.name).toBe('debian-2');
    expect(s.draft?.disks.map((d) => d.file)).toEqual(['debian-2.img']);
    const edited = wizardReducer(s, { type: 'edit', edit: (d) => ({ ...d, name: 'web' }) });
    const reloaded = wizardReducer(edited, { type: 'loaded', opts: { ...opts, hostCpus: 8 } });
    expect(reloaded.draft).toBe(edited.draft);
    expect(reloaded.opts?.hostCpus).toBe(8);
  });

  it('records a failed load and clears it when loading again', () => {
    const failed = run({ type: 'loadFailed', error: failure });
    expect(failed.loadError).toBe(failure);
    expect(wizardReducer(failed, { type: 'load' }).loadError).toBeNull();
  });
});

describe('wizardReducer: editing', () => {
  it('re-derives the new disks’ file names from the edited name', () => {
    const s = run({ type: 'loaded', opts }, { type: 'edit', edit: (d) => ({ ...d, name: 'web' }) });
    expect(s.draft?.name).toBe('web');
    expect(s.draft?.disks[0]?.file).toBe('web.img');
  });

  it('ignores edits before the draft exists', () => {
    expect(wizardReducer(initialWizardState, { type: 'edit', edit: (d) => ({ ...d, name: 'web' }) })).toBe(initialWizardState);
  });

  it('drops the problems of fields whose value changed, keeping general ones and unchanged fields', () => {
    const problems = [
      { field: 'name', message: 'name taken' },
      { field: 'disks[0].path', message: 'exists' },
      { field: '', message: 'host unreachable' },
    ];
    const s = run({ type: 'problems', problems }, { type: 'planChanged', before: { name: 'a', disks: [{ path: '/x' }] }, plan: { name: 'b', disks: [{ path: '/x' }] } });
    expect(s.problems.map((p) => p.message)).toEqual(['exists', 'host unreachable']);
  });

  it('leaves the state alone on a plan change when there are no problems', () => {
    expect(wizardReducer(initialWizardState, { type: 'planChanged', before: { name: 'a' }, plan: { name: 'b' } })).toBe(initialWizardState);
  });
});

describe('wizardReducer: steps and checks', () => {
  const problem = { field: 'vcpus', message: 'too many' };

  it('going to a step clears the problems and remembers the furthest step reached', () => {
    const s = run({ type: 'goTo', step: 3 }, { type: 'problems', problems: [problem] }, { type: 'goTo', step: 1 });
    expect(s).toMatchObject({ step: 1, visited: 3, problems: [] });
  });

  it('a refused Next shows the problems, asks for focus and moves back only when told a step', () => {
    const here = run({ type: 'goTo', step: 2 }, { type: 'refused', problems: [problem] });
    expect(here).toMatchObject({ step: 2, visited: 2, problems: [problem], focusError: 1 });
    const back = wizardReducer(here, { type: 'refused', problems: [problem], step: 0 });
    expect(back).toMatchObject({ step: 0, visited: 2, focusError: 2 });
  });

  it('a preview brings its own problems; a plan that does not parse clears the preview', () => {
    const preview: WizardPreview = { ok: false, configPath: '/etc/xen/web.cfg', text: '', problems: [problem], warnings: [], xl: { ran: false, warnings: [], errors: [], note: 'not yet' } };
    const s = run({ type: 'previewing', previewing: true }, { type: 'previewed', preview }, { type: 'previewing', previewing: false });
    expect(s).toMatchObject({ preview, problems: [problem], previewing: false });
    expect(wizardReducer(s, { type: 'previewCleared', problems: [] })).toMatchObject({ preview: null, problems: [] });
  });

  it('returns the same state when a value does not change', () => {
    expect(wizardReducer(initialWizardState, { type: 'checking', checking: false })).toBe(initialWizardState);
    expect(wizardReducer(initialWizardState, { type: 'jobDismissed' })).toBe(initialWizardState);
  });
});

describe('wizardReducer: the Finish job', () => {
  const started = run({ type: 'jobStarted', name: 'web', phases: [{ phase: 'validate', state: 'pending', message: '' }, { phase: 'config', state: 'pending', message: '' }] });

  it('updates a planned phase and appends one main reports beyond the plan', () => {
    const actions: WizardAction[] = [
      { type: 'phase', phase: 'validate', state: 'done', message: 'ok' },
      { type: 'phase', phase: 'cleanup', state: 'running', message: '' },
    ];
    const s = actions.reduce(wizardReducer, started);
    expect(s.job?.phases).toEqual([
      { phase: 'validate', state: 'done', message: 'ok' },
      { phase: 'config', state: 'pending', message: '' },
      { phase: 'cleanup', state: 'running', message: '' },
    ]);
  });

  it('marks the phases that never ran as skipped when the job succeeds or fails', () => {
    const ok = wizardReducer(wizardReducer(started, { type: 'phase', phase: 'validate', state: 'done', message: '' }), { type: 'jobSucceeded', outcome: 'web is running.' });
    expect(ok.job).toMatchObject({ done: true, error: null, outcome: 'web is running.' });
    expect(ok.job?.phases.map((p) => p.state)).toEqual(['done', 'skipped']);
    const failed = wizardReducer(started, { type: 'jobFailed', error: failure });
    expect(failed.job).toMatchObject({ done: true, error: failure, outcome: null });
    expect(failed.job?.phases.map((p) => p.state)).toEqual(['skipped', 'skipped']);
    expect(wizardReducer(failed, { type: 'jobDismissed' }).job).toBeNull();
    // "New VM…" again: a created guest's wizard starts over; a failed one, or one in progress, keeps its work.
    expect(wizardReducer(ok, { type: 'fresh' })).toBe(initialWizardState);
    expect(wizardReducer(failed, { type: 'fresh' })).toBe(failed);
    expect(wizardReducer(started, { type: 'fresh' })).toBe(started);
  });

  it('ignores progress when no job runs', () => {
    expect(wizardReducer(initialWizardState, { type: 'phase', phase: 'validate', state: 'done', message: '' })).toBe(initialWizardState);
    expect(wizardReducer(initialWizardState, { type: 'jobSucceeded', outcome: 'x' })).toBe(initialWizardState);
  });
});
