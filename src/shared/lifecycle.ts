/**
 * The lifecycle actions, listed once: the contract's domains:bulk and its domain:<action> channels, main's handlers,
 * and the toolbar, context menu and keys of the renderer all derive from this list.
 */
export const LIFECYCLE_ACTIONS = ['start', 'shutdown', 'reboot', 'destroy', 'pause', 'unpause'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** True for one of LIFECYCLE_ACTIONS. */
export function isLifecycleAction(a: string): a is LifecycleAction {
  return (LIFECYCLE_ACTIONS as readonly string[]).includes(a);
}
