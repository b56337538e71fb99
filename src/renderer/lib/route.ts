import { useSyncExternalStore } from 'react';

/** The app's places, kept in the URL hash so a detached window or a reload lands in the same place. */
export type Route =
  | { view: 'host' }
  | { view: 'storage' }
  /** Every bridge on the host and the guests on it. */
  | { view: 'networks' }
  | { view: 'domains' }
  /** `kind` chooses the Console tab's console (text unless "vnc"). */
  | { view: 'domain'; name: string; tab: string; kind?: 'text' | 'vnc' }
  | { view: 'new' }
  /** The task log: what Xenith did, for whom, and how it ended. */
  | { view: 'tasks' }
  | { view: 'console'; name: string; kind: 'text' | 'vnc' };

/** Parses a location hash like "#/domains/web1/disks". */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  const [a, b, c, d] = parts;
  if (a === 'host') return { view: 'host' };
  if (a === 'storage') return { view: 'storage' };
  if (a === 'networks') return { view: 'networks' };
  if (a === 'new') return { view: 'new' };
  if (a === 'tasks') return { view: 'tasks' };
  if (a === 'console' && b) return { view: 'console', name: b, kind: c === 'vnc' ? 'vnc' : 'text' };
  if (a === 'domains' && b) return { view: 'domain', name: b, tab: c ?? 'overview', ...(c === 'console' && d === 'vnc' ? { kind: 'vnc' as const } : {}) };
  if (a === 'domains') return { view: 'domains' };
  return { view: 'domains' };
}

/** The hash of a route. */
export function routeHash(r: Route): string {
  switch (r.view) {
    case 'host':
      return '#/host';
    case 'storage':
      return '#/storage';
    case 'networks':
      return '#/networks';
    case 'domains':
      return '#/domains';
    case 'new':
      return '#/new';
    case 'tasks':
      return '#/tasks';
    case 'domain':
      return `#/domains/${encodeURIComponent(r.name)}/${encodeURIComponent(r.tab)}${r.tab === 'console' && r.kind === 'vnc' ? '/vnc' : ''}`;
    case 'console':
      return `#/console/${encodeURIComponent(r.name)}/${r.kind}`;
  }
}

/** Goes to a route. */
export function navigate(r: Route): void {
  const h = routeHash(r);
  if (location.hash !== h) location.hash = h;
  // Asked for the page already shown (New VM… after a finished wizard): the page decides what that means.
  else window.dispatchEvent(new CustomEvent(RENAVIGATE, { detail: h }));
}

/** The event navigate fires when asked for the route already shown; its detail is the hash. */
export const RENAVIGATE = 'xenith:renavigate';

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb);
  return () => window.removeEventListener('hashchange', cb);
}

/** The current route, re-rendering on change. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => location.hash);
  return parseRoute(hash);
}
