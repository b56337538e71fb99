import type { Dispatch, SetStateAction } from 'react';
import { Terminal, type IDisposable } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { xen } from '../../api/client';
import { ConsoleChannel } from '../../lib/console-channel';
import { FlowWriter } from '../../lib/console-flow';
import { errorInfo } from '../../lib/errors';
import { copyText } from '../../lib/console-clipboard';
import { skipIdleSelectionRedraws } from '../../lib/xterm-selection';
import { paceFloodRedraws } from '../../lib/xterm-frames';
import type { ConsoleState } from './ConsoleChrome';
import type { ConsoleTestHooks } from './test-hooks';

/** One page-wide router for console events (each TextConsole claims its session id). */
const channel = new ConsoleChannel(xen);

const SCROLLBACK_KEY = 'xenith.console.scrollback';
/** The scrollback lengths the toolbar offers. */
export const SCROLLBACK_CHOICES = [1000, 5000, 10000, 50000] as const;
/** Output arriving in chunks this large (bytes) is a flood, not a program answering keys. */
const BULK_CHUNK = 8 * 1024;
/** console:write takes at most 64 KiB per call; pasted text is sent in pieces below that. */
const WRITE_PIECE = 16 * 1024;

/** The scrollback length chosen last time (5000 lines when none or an unknown one was saved). */
export function savedScrollback(): number {
  const n = Number(localStorage.getItem(SCROLLBACK_KEY));
  return (SCROLLBACK_CHOICES as readonly number[]).includes(n) ? n : 5000;
}

/** Remembers the scrollback length for the next console. */
export function saveScrollback(n: number): void {
  localStorage.setItem(SCROLLBACK_KEY, String(n));
}

/** Terminal colours stay dark in both themes: guests assume a dark console. */
const TERM_THEME = { background: '#111318', foreground: '#e4e7ec', cursor: '#e4e7ec', selectionBackground: '#3a5a9a' };

/** Which console of which domain to open. */
export interface ConsoleTarget {
  name: string;
  type?: 'pv' | 'serial' | undefined;
  index?: number | undefined;
}

/** One connection attempt, shared by the terminal's handlers, the open call and the cleanup. */
export interface TextSession {
  cancelled: boolean;
  /** Main's session id once open; null before, and again once main has forgotten it. */
  id: string | null;
  release: (() => void) | null;
  /** When the last bulk chunk arrived (performance.now()). */
  lastBulk: number;
}

/** A fresh attempt: not open yet. */
export function newSession(): TextSession {
  return { cancelled: false, id: null, release: null, lastBulk: Number.NEGATIVE_INFINITY };
}

type SetConsoleState = Dispatch<SetStateAction<ConsoleState>>;

/** xterm.js in `host` with fit, search and clickable links. */
export function createTerminal(host: HTMLElement): { term: Terminal; fit: FitAddon; search: SearchAddon } {
  const term = new Terminal({
    scrollback: savedScrollback(),
    fontFamily: "'DejaVu Sans Mono', ui-monospace, Menlo, monospace",
    fontSize: 13,
    cursorBlink: true,
    theme: TERM_THEME,
    allowProposedApi: true,
  });
  const fit = new FitAddon();
  const search = new SearchAddon();
  term.loadAddon(fit);
  term.loadAddon(search);
  term.loadAddon(new WebLinksAddon((_e, uri) => window.open(uri, '_blank', 'noopener,noreferrer')));
  term.open(host);
  skipIdleSelectionRedraws(term);
  return { term, fit, search };
}

/** Fits the terminal to its box, when it has one. */
export function fitTerminal(fit: FitAddon): void {
  try {
    fit.fit();
  } catch {
    // Not laid out (display: none, a hidden tab): the ResizeObserver fits it once shown.
  }
}

/** Main forgets a session when our connection to it drops (browser mode): say so instead of typing into nothing. */
export function onSessionLost(session: TextSession, setState: SetConsoleState): (e: unknown) => void {
  return (e: unknown) => {
    if (session.cancelled || errorInfo(e).code !== 'NOT_FOUND') return;
    session.id = null;
    setState({ state: 'closed', message: 'The console session ended (the connection to Xenith was interrupted)' });
  };
}

/** The flow-controlled writer into the terminal, acking to main, with flood redraws paced. */
export function startFlowControl(term: Terminal, session: TextSession, lost: (e: unknown) => void): FlowWriter {
  const flow = new FlowWriter({
    write: (data, done) => term.write(data, done),
    ack: (count) => {
      if (session.id !== null) void xen.console.ack({ id: session.id, bytes: count }).catch(lost);
    },
  });
  // While output floods in (some waits to be parsed, or a bulk chunk came within 100 ms: the terminal may catch up
  // between two chunks of a flood), the screen is redrawn at most 20 times a second (xterm-frames.ts).
  paceFloodRedraws(term, { flooded: () => flow.processed < flow.written || performance.now() - session.lastBulk < 100 });
  return flow;
}

/** Sends keys and pastes to main, and follows the terminal's size; returns what to dispose. */
export function wireTerminal(term: Terminal, session: TextSession, lost: (e: unknown) => void, setSize: (size: string) => void): IDisposable[] {
  const send = (data: string) => {
    const id = session.id;
    if (id === null) return;
    for (let i = 0; i < data.length; i += WRITE_PIECE) {
      void xen.console.write({ id, data: data.slice(i, i + WRITE_PIECE) }).catch(lost);
    }
  };
  return [
    term.onData(send),
    term.onBinary(send),
    term.onResize(({ cols, rows }) => {
      setSize(`${cols}×${rows}`);
      if (session.id !== null) void xen.console.resize({ id: session.id, cols: Math.max(cols, 10), rows: Math.max(rows, 2) }).catch(() => undefined);
    }),
  ];
}

/** Ctrl+Shift+C / Ctrl+Shift+V copy and paste, as in other Linux terminals; plain Ctrl+C still reaches the guest. */
export function attachClipboardKeys(term: Terminal): void {
  term.attachCustomKeyEventHandler((e) => {
    if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
    if (e.code === 'KeyC') {
      const sel = term.getSelection();
      if (sel) void copyText(sel);
      return false;
    }
    if (e.code === 'KeyV') {
      void navigator.clipboard.readText().then((t) => term.paste(t), () => undefined);
      return false;
    }
    return true;
  });
}

/** What opening a session touches besides the session itself. */
export interface OpenWiring {
  term: Terminal;
  flow: FlowWriter;
  hooks: ConsoleTestHooks | undefined;
  setState: SetConsoleState;
  /** Told main's session id once it is open. */
  opened: (id: string) => void;
}

/** Asks main to open the console, then routes its output into the flow writer and its status into the state. */
export function openSession({ name, type, index }: ConsoleTarget, session: TextSession, { term, flow, hooks, setState, opened }: OpenWiring): void {
  channel.listen();
  xen.console
    .open({ name, ...(type ? { type } : {}), ...(index !== undefined ? { index } : {}), cols: Math.max(term.cols, 10), rows: Math.max(term.rows, 2) })
    .then(
      (res) => {
        if (session.cancelled) {
          void xen.console.close({ id: res.id }).catch(() => undefined);
          return;
        }
        session.id = res.id;
        opened(res.id);
        setState({ state: 'connected', message: `Connected to ${name}` });
        session.release = channel.claim(res.id, {
          data: (d) => {
            hooks?.tap?.(d);
            if (d.length >= BULK_CHUNK) session.lastBulk = performance.now();
            flow.push(d);
          },
          status: (ev) => setState({ state: ev.state, message: ev.message }),
        });
        term.focus();
      },
      (e: unknown) => {
        if (!session.cancelled) setState({ state: 'failed', message: errorInfo(e).message });
      },
    );
}
