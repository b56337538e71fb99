import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';
import { createFromPlan, previewPlan, wizardOptions, type WizardDeps } from '../../xen/index';

/** wizard:* — the new-VM wizard: host options, a preview of the exact config, and the create pipeline. */
export function registerWizardHandlers(r: HandlerRegistry, s: Services): void {
  const deps = (): WizardDeps => ({ api: s.api, runner: s.runner, paths: s.paths });
  r.register('wizard:options', () => wizardOptions(deps()));
  r.register('wizard:preview', ({ plan }) => previewPlan(deps(), plan));
  r.register('wizard:create', async ({ plan, jobId }, ctx) => {
    try {
      return await createFromPlan(deps(), plan, (p) => {
        s.hub.emit('job:progress', { jobId, phase: p.phase, state: p.state, message: p.message }, ctx.clientId);
        // The task log shows the same words to every client, while it runs.
        ctx.progress?.(p.message);
      });
    } finally {
      // Success adds a domain; a failure may have come after xl create began. Either way the list is worth refetching.
      s.notifyChanged({ reason: 'wizard', names: null });
    }
  });
}
