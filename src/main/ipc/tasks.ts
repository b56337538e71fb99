import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';

/** tasks:* — the task log, newest first (src/main/tasks records it from the registry's calls). */
export function registerTaskHandlers(r: HandlerRegistry, s: Services): void {
  r.register('tasks:list', ({ limit }) => s.tasks.list(limit));
}
