import { useCallback, useEffect, useRef, useState, type Dispatch, type RefObject, type SetStateAction } from 'react';
import type { Terminal } from '@xterm/xterm';
import type { SearchAddon } from '@xterm/addon-search';
import '@xterm/xterm/css/xterm.css';
import { xen } from '../../api/client';
import { copyText } from '../../lib/console-clipboard';
import { ConsoleToolbar, ToolButton, useFullscreen, type ConsoleState } from './ConsoleChrome';
import { testHooks } from './test-hooks';
import {
  attachClipboardKeys,
  createTerminal,
  fitTerminal,
  newSession,
  onSessionLost,
  openSession,
  saveScrollback,
  savedScrollback,
  SCROLLBACK_CHOICES,
  startFlowControl,
  wireTerminal,
  type ConsoleTarget,
} from './text-session';

type SetConsoleState = Dispatch<SetStateAction<ConsoleState>>;

/** The terminal in `hostRef` and its session in main, opened again whenever the target or `generation` changes. */
function useTerminalSession(hostRef: RefObject<HTMLDivElement | null>, target: ConsoleTarget, generation: number, setState: SetConsoleState, setSize: (size: string) => void) {
  const termRef = useRef<Terminal | null>(null);
  const searchRef = useRef<SearchAddon | null>(null);
  const sessionRef = useRef<string | null>(null);
  const { name, type, index } = target;
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const { term, fit, search } = createTerminal(host);
    termRef.current = term;
    searchRef.current = search;
    fitTerminal(fit);
    setSize(`${term.cols}×${term.rows}`);

    const session = newSession();
    const lost = onSessionLost(session, setState);
    const flow = startFlowControl(term, session, lost);
    const hooks = testHooks();
    if (hooks) hooks.console = { term, flow, name, sessionId: () => session.id };
    const subs = wireTerminal(term, session, lost, setSize);
    attachClipboardKeys(term);
    const ro = new ResizeObserver(() => fitTerminal(fit));
    ro.observe(host);
    openSession({ name, type, index }, session, {
      term,
      flow,
      hooks,
      setState,
      opened: (id) => {
        sessionRef.current = id;
      },
    });

    return () => {
      session.cancelled = true;
      ro.disconnect();
      session.release?.();
      for (const s of subs) s.dispose();
      if (session.id !== null) void xen.console.close({ id: session.id }).catch(() => undefined);
      sessionRef.current = null;
      if (hooks?.console?.term === term) delete hooks.console;
      termRef.current = null;
      term.dispose();
    };
  }, [hostRef, name, type, index, generation, setState, setSize]);
  return { termRef, searchRef };
}

/** Copy and Paste buttons: the selection to the clipboard, the clipboard into the console. */
function useClipboardButtons(termRef: RefObject<Terminal | null>, setState: SetConsoleState) {
  const copy = useCallback(() => {
    const sel = termRef.current?.getSelection();
    if (sel) void copyText(sel);
    termRef.current?.focus();
  }, [termRef]);
  const paste = useCallback(() => {
    void navigator.clipboard.readText().then(
      (t) => termRef.current?.paste(t),
      () => setState((s) => ({ ...s, note: 'The browser did not allow reading the clipboard: use Ctrl+Shift+V or the middle button.' })),
    );
    termRef.current?.focus();
  }, [termRef, setState]);
  return { copy, paste };
}

function ConsoleSearch({ query, setQuery, find }: { query: string; setQuery: (q: string) => void; find: (backwards: boolean) => void }) {
  return (
    <form
      className="console-search"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        find(false);
      }}
    >
      <input
        type="search"
        placeholder="Find"
        aria-label="Find in the console"
        data-testid="console-find"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && e.shiftKey) {
            e.preventDefault();
            find(true);
          }
        }}
      />
      <button type="button" className="btn small" aria-label="Previous match" onClick={() => find(true)}>
        ↑
      </button>
      <button type="submit" className="btn small" aria-label="Next match">
        ↓
      </button>
    </form>
  );
}

function ScrollbackSelect({ value, onChange }: { value: number; onChange: (n: number) => void }) {
  return (
    <label className="console-select">
      Scrollback
      <select data-testid="console-scrollback" value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {SCROLLBACK_CHOICES.map((n) => (
          <option key={n} value={n}>
            {n.toLocaleString()} lines
          </option>
        ))}
      </select>
    </label>
  );
}

/** While the console reconnects by itself, and once it has ended (with Reconnect). */
function ConsoleBanners({ state, onReconnect }: { state: ConsoleState; onReconnect: () => void }) {
  const ended = state.state === 'closed' || state.state === 'failed';
  return (
    <>
      {state.state === 'reconnecting' || state.state === 'disconnected' ? (
        <div className="console-banner warn" role="status" data-testid="console-banner">
          {state.message} — the console reconnects by itself.
        </div>
      ) : null}
      {ended ? (
        <div className="console-banner danger" role="alert" data-testid="console-banner">
          {state.state === 'failed' ? `Could not open the console: ${state.message}` : `${state.message}.`}
          <button type="button" className="btn small" data-testid="console-reconnect" onClick={onReconnect}>
            Reconnect
          </button>
        </div>
      ) : null}
    </>
  );
}

/**
 * A text console: `xl console` streamed into xterm.js with flow control, copy and paste, search, a scrollback
 * setting, a status line and a banner while the guest reboots. Keys go to main as typed, so the terminal's own
 * answers (the reply to a guest's ESC[6n cursor query) reach the guest too.
 */
export function TextConsole({ name, type, index, onDetach }: { name: string; type?: 'pv' | 'serial'; index?: number; onDetach?: () => void }) {
  const frameRef = useRef<HTMLDivElement>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<ConsoleState>({ state: 'connecting', message: `Opening the console of ${name}…` });
  const [size, setSize] = useState('');
  const [query, setQuery] = useState('');
  const [scrollback, setScrollback] = useState(savedScrollback);
  const [generation, setGeneration] = useState(0);
  const { isFullscreen, toggle: toggleFullscreen } = useFullscreen(frameRef);
  const { termRef, searchRef } = useTerminalSession(hostRef, { name, type, index }, generation, setState, setSize);

  useEffect(() => {
    if (termRef.current) termRef.current.options.scrollback = scrollback;
    saveScrollback(scrollback);
  }, [termRef, scrollback]);

  const { copy, paste } = useClipboardButtons(termRef, setState);
  const find = (backwards: boolean) => {
    if (!query) return;
    if (backwards) searchRef.current?.findPrevious(query);
    else searchRef.current?.findNext(query);
  };

  return (
    <div className="console-frame" ref={frameRef} data-testid="text-console" data-state={state.state}>
      <ConsoleToolbar name={name} kind="text" state={state} onDetach={onDetach} isFullscreen={isFullscreen} onFullscreen={toggleFullscreen}>
        <ToolButton testId="console-copy" label="Copy" title="Copy the selection (Ctrl+Shift+C)" onClick={copy} />
        <ToolButton testId="console-paste" label="Paste" title="Paste into the console (Ctrl+Shift+V)" onClick={paste} />
        <ConsoleSearch query={query} setQuery={setQuery} find={find} />
        <ScrollbackSelect value={scrollback} onChange={setScrollback} />
      </ConsoleToolbar>
      <ConsoleBanners state={state} onReconnect={() => setGeneration((g) => g + 1)} />
      <div className="console-term" ref={hostRef} onClick={() => termRef.current?.focus()} />
      <div className="console-statusline" data-testid="console-statusline">
        <span className={`console-dot ${state.state}`} aria-hidden="true" />
        <span>{state.note ?? state.message}</span>
        <span className="console-spacer" />
        <span className="mono">{size}</span>
        <span>{type ? `${type} ${index ?? 0}` : `console ${index ?? 0}`}</span>
      </div>
    </div>
  );
}
