import type { Dispatch, RefObject, SetStateAction } from 'react';
import RFB from '@novnc/novnc';
import { xen } from '../../api/client';
import { errorInfo } from '../../lib/errors';
import type { ConsoleState } from './ConsoleChrome';
import type { ConsoleTestHooks } from './test-hooks';

/** How long after an unexpected disconnect noVNC connects again (the proxy finds the new port after a reboot). */
const RETRY_MS = 2000;

/** One VncConsole mount (or Try again): shared by the attempts, their handlers and the cleanup. */
export interface VncSession {
  cancelled: boolean;
  /** Main's proxy session of the current attempt, while it is open. */
  id: string | null;
  retry: ReturnType<typeof setTimeout> | null;
}

/** A session with no attempt made yet. */
export function newVncSession(): VncSession {
  return { cancelled: false, id: null, retry: null };
}

/** What the attempts reach in the component. */
export interface VncWiring {
  name: string;
  screen: HTMLDivElement;
  rfbRef: RefObject<RFB | null>;
  scaleRef: RefObject<'fit' | 'native'>;
  hooks: ConsoleTestHooks | undefined;
  setState: Dispatch<SetStateAction<ConsoleState>>;
  setAskPassword: (ask: boolean) => void;
}

/** Each attempt opens a fresh proxy session: the old one is gone if our connection to main dropped meanwhile. */
export function startVnc(session: VncSession, w: VncWiring, first: boolean): void {
  xen.vnc.open({ name: w.name }).then(
    (res) => {
      if (session.cancelled) {
        void xen.vnc.close({ id: res.id }).catch(() => undefined);
        return;
      }
      session.id = res.id;
      connectRfb(session, w, res.url, res.password);
    },
    (e: unknown) => {
      if (session.cancelled) return;
      if (first) {
        w.setState({ state: 'failed', message: errorInfo(e).message });
        return;
      }
      // While the guest reboots it is briefly not running: keep waiting for it.
      w.setState({ state: 'reconnecting', message: `Waiting for the display of ${w.name} (${errorInfo(e).message})` });
      session.retry = setTimeout(() => startVnc(session, w, false), RETRY_MS);
    },
  );
}

/** noVNC on the proxy's URL, set up for the current scaling. */
function connectRfb(session: VncSession, w: VncWiring, url: string, pw: string | null): void {
  if (session.cancelled) return;
  const rfb = new RFB(w.screen, url, { shared: true, ...(pw ? { credentials: { password: pw } } : {}) });
  w.rfbRef.current = rfb;
  if (w.hooks) w.hooks.rfb = rfb;
  rfb.scaleViewport = w.scaleRef.current === 'fit';
  rfb.clipViewport = false;
  rfb.resizeSession = false;
  rfb.focusOnClick = true;
  rfb.background = '#111318';
  listenRfb(rfb, session, w);
}

/** The display's events into the status line and the password dialog; an unexpected end tries again. */
function listenRfb(rfb: RFB, session: VncSession, w: VncWiring): void {
  const { name, setState } = w;
  rfb.addEventListener('connect', () => {
    setState({ state: 'connected', message: `Connected to the display of ${name}` });
    rfb.focus();
  });
  rfb.addEventListener('desktopname', (e) => {
    const n = (e as CustomEvent<{ name: string }>).detail.name;
    setState((s) => (s.state === 'connected' ? { ...s, message: `Connected to “${n}”` } : s));
  });
  rfb.addEventListener('credentialsrequired', () => {
    setState({ state: 'connecting', message: 'The display asks for its VNC password' });
    w.setAskPassword(true);
  });
  rfb.addEventListener('securityfailure', (e) => {
    const reason = (e as CustomEvent<{ reason?: string }>).detail.reason;
    setState({ state: 'failed', message: `The display refused the connection${reason ? `: ${reason}` : ''}` });
  });
  rfb.addEventListener('disconnect', (e) => {
    if (w.rfbRef.current !== rfb || session.cancelled) return;
    w.rfbRef.current = null;
    const clean = (e as CustomEvent<{ clean: boolean }>).detail.clean;
    setState((s) =>
      s.state === 'failed'
        ? s
        : { state: 'reconnecting', message: clean ? `The display of ${name} closed` : `Lost the display of ${name} (the guest may be rebooting)` },
    );
    if (session.id !== null) void xen.vnc.close({ id: session.id }).catch(() => undefined);
    session.id = null;
    session.retry = setTimeout(() => startVnc(session, w, false), RETRY_MS);
  });
}

/** Stops the session: no more attempts, the display disconnected, main's proxy session closed. */
export function stopVnc(session: VncSession, rfbRef: RefObject<RFB | null>, hooks: ConsoleTestHooks | undefined): void {
  session.cancelled = true;
  if (session.retry) clearTimeout(session.retry);
  const rfb = rfbRef.current;
  rfbRef.current = null;
  rfb?.disconnect();
  if (hooks && hooks.rfb === rfb) delete hooks.rfb;
  if (session.id !== null) void xen.vnc.close({ id: session.id }).catch(() => undefined);
}
