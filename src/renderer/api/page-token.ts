/**
 * Browser mode's access token. The server prints `http://127.0.0.1:PORT/#token=…`: the fragment never leaves the
 * browser, so no request carries it and no other local server can receive it (a cookie would go to every 127.0.0.1
 * port). The page takes it out of the address bar, keeps it in this tab's sessionStorage (per origin, port included)
 * so a reload still works, and sends it only with the WebSocket handshake.
 */
const KEY = 'xenith-token';
// "#token=T", or "#token=T&to=/console/web01/text" for a tab Xenith opens itself (a detached console), which lands there.
const IN_HASH = /^#token=([A-Za-z0-9_-]{8,128})(?:&to=(\/[A-Za-z0-9._~%/-]{0,512}))?$/;

/** The token of this tab: from the address (then removed from it), else from an earlier load; null when neither. */
export function takePageToken(loc: Pick<Location, 'hash' | 'pathname' | 'search'> = location, store: Pick<Storage, 'getItem' | 'setItem'> | null = safeStorage()): string | null {
  const m = IN_HASH.exec(loc.hash);
  if (m?.[1] !== undefined) {
    store?.setItem(KEY, m[1]);
    history.replaceState(null, '', `${loc.pathname}${loc.search}#${m[2] ?? '/'}`);
    return m[1];
  }
  return store?.getItem(KEY) ?? null;
}

function safeStorage(): Storage | null {
  try {
    return sessionStorage;
  } catch {
    return null;
  }
}

/** The address of a new tab of this app at `hash` (a route's "#/..."), carrying `token` as the printed address does. */
export function tabAddress(origin: string, pathname: string, token: string, hash: string): string {
  return `${origin}${pathname}#token=${token}&to=${hash.replace(/^#/, '')}`;
}

/** The WebSocket subprotocols that carry the token: the server picks "xenith" and checks the other. */
export function tokenProtocols(token: string): string[] {
  return ['xenith', `xenith-token.${token}`];
}
