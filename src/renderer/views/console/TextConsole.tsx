import { useCallback, useEffect, useRef, useState } from 'react';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import '@xterm/xterm/css/xterm.css';
import { xen } from '../../api/client';
import { ConsoleChannel } from '../../lib/console-channel';
import { FlowWriter } from '../../lib/console-flow';
import { errorInfo } from '../../lib/errors';
import { copyText } from '../../lib/console-clipboard';
import { skipIdleSelectionRedraws } from '../../lib/xterm-selection';
import { paceFloodRedraws } from '../../lib/xterm-frames';
import { ConsoleToolbar, ToolButton, useFullscreen, type ConsoleState } from './ConsoleChrome';
import { testHooks } from './test-hooks';

/** One page-wide router for console events (each TextConsole claims its session id). */
const channel = new ConsoleChannel(xen);

const SCROLLBACK_KEY = 'xenith.console.scrollback';
const SCROLLBACK_CHOICES = [1000, 5000, 10000, 50000] as const;
/** Output arriving in chunks this large is a flood, not a program answering keys. */
const BULK_CHUNK = 8 * 1024;
/** console:write takes at most 64 KiB per call; pasted text is sent in pieces below that. */
const WRITE_PIECE = 16 * 1024;

function savedScrollback(): number {
  const n = Number(localStorage.getItem(SCROLLBACK_KEY));
  return (SCROLLBACK_CHOICES as readonly number[]).includes(n) ? n : 5000;
}

/** Terminal colours stay dark in both themes: guests assume a dark console. */
const TERM_THEME = { background: '#111318', foreground: '#e4e7ec', cursor: '#e4e7ec', selectionBackground: '#3a5a9a' };

/**
 * A text console: `xl console` streamed into xterm.js with flow control, copy and paste, search, a scrollback
 * setting, a status line and a banner while the guest reboots. Keys go to main as typed, so the terminal's own
 * answers (the reply to a guest's ESC[6n cursor query) reach the guest too.
 */
export function TextConsole({ name, type, index, onDetach }: { name: string; type?: 'pv' | 'serial'; index?: number; onDetach?: () => void }) {
  const frameRef = useRef<HTMLDivElement>(null);
  const hostRef = useRef<HTMLDivElement>(null);
  const termRef = useRef<Terminal | null>(null);
  const searchRef = useRef<SearchAddon | null>(null);
  const sessionRef = useRef<string | null>(null);
  const [state, setState] = useState<ConsoleState>({ state: 'connecting', message: `Opening the console of ${name}…` });
  const [size, setSize] = useState('');
  const [query, setQuery] = useState('');
  const [scrollback, setScrollback] = useState(savedScrollback);
  const [generation, setGeneration] = useState(0);
  const { isFullscreen, toggle: toggleFullscreen } = useFullscreen(frameRef);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
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
    termRef.current = term;
    searchRef.current = search;
    try {
      fit.fit();
    } catch {
      // A hidden tab has no size yet; the ResizeObserver fits it once shown.
    }
    setSize(`${term.cols}×${term.rows}`);

    let cancelled = false;
    let id: string | null = null;
    let release: (() => void) | null = null;
    // Main forgets a session when our connection to it drops (browser mode): say so instead of typing into nothing.
    const lost = (e: unknown) => {
      if (cancelled || errorInfo(e).code !== 'NOT_FOUND') return;
      id = null;
      setState({ state: 'closed', message: 'The console session ended (the connection to Xenith was interrupted)' });
    };
    const send = (data: string) => {
      if (id === null) return;
      for (let i = 0; i < data.length; i += WRITE_PIECE) {
        void xen.console.write({ id, data: data.slice(i, i + WRITE_PIECE) }).catch(lost);
      }
    };
    const flow = new FlowWriter({
      write: (data, done) => term.write(data, done),
      ack: (count) => {
        if (id !== null) void xen.console.ack({ id, bytes: count }).catch(lost);
      },
    });
    // While output floods in (some waits to be parsed, or a bulk chunk came within 100 ms: the terminal may catch up
    // between two chunks of a flood), the screen is redrawn at most 20 times a second (xterm-frames.ts).
    let lastBulk = Number.NEGATIVE_INFINITY;
    paceFloodRedraws(term, { flooded: () => flow.processed < flow.written || performance.now() - lastBulk < 100 });
    const hooks = testHooks();
    if (hooks) hooks.console = { term, flow, name, sessionId: () => id };

    const subs = [
      term.onData(send),
      term.onBinary(send),
      term.onResize(({ cols, rows }) => {
        setSize(`${cols}×${rows}`);
        if (id !== null) void xen.console.resize({ id, cols: Math.max(cols, 10), rows: Math.max(rows, 2) }).catch(() => undefined);
      }),
    ];
    // Ctrl+Shift+C / Ctrl+Shift+V copy and paste, as in other Linux terminals; plain Ctrl+C still reaches the guest.
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

    const ro = new ResizeObserver(() => {
      try {
        fit.fit();
      } catch {
        // Not laid out (display: none).
      }
    });
    ro.observe(host);

    channel.listen();
    xen.console
      .open({ name, ...(type ? { type } : {}), ...(index !== undefined ? { index } : {}), cols: Math.max(term.cols, 10), rows: Math.max(term.rows, 2) })
      .then(
        (res) => {
          if (cancelled) {
            void xen.console.close({ id: res.id }).catch(() => undefined);
            return;
          }
          id = res.id;
          sessionRef.current = res.id;
          setState({ state: 'connected', message: `Connected to ${name}` });
          release = channel.claim(res.id, {
            data: (d) => {
              hooks?.tap?.(d);
              if (d.length >= BULK_CHUNK) lastBulk = performance.now();
              flow.push(d);
            },
            status: (ev) => setState({ state: ev.state, message: ev.message }),
          });
          term.focus();
        },
        (e: unknown) => {
          if (!cancelled) setState({ state: 'failed', message: errorInfo(e).message });
        },
      );

    return () => {
      cancelled = true;
      ro.disconnect();
      release?.();
      for (const s of subs) s.dispose();
      if (id !== null) void xen.console.close({ id }).catch(() => undefined);
      sessionRef.current = null;
      if (hooks?.console?.term === term) delete hooks.console;
      termRef.current = null;
      term.dispose();
    };
  }, [name, type, index, generation]);

  useEffect(() => {
    if (termRef.current) termRef.current.options.scrollback = scrollback;
    localStorage.setItem(SCROLLBACK_KEY, String(scrollback));
  }, [scrollback]);

  const copy = useCallback(() => {
    const sel = termRef.current?.getSelection();
    if (sel) void copyText(sel);
    termRef.current?.focus();
  }, []);
  const paste = useCallback(() => {
    void navigator.clipboard.readText().then(
      (t) => termRef.current?.paste(t),
      () => setState((s) => ({ ...s, note: 'The browser did not allow reading the clipboard: use Ctrl+Shift+V or the middle button.' })),
    );
    termRef.current?.focus();
  }, []);
  const find = (backwards: boolean) => {
    if (!query) return;
    if (backwards) searchRef.current?.findPrevious(query);
    else searchRef.current?.findNext(query);
  };

  const ended = state.state === 'closed' || state.state === 'failed';
  return (
    <div className="console-frame" ref={frameRef} data-testid="text-console" data-state={state.state}>
      <ConsoleToolbar name={name} kind="text" state={state} onDetach={onDetach} isFullscreen={isFullscreen} onFullscreen={toggleFullscreen}>
        <ToolButton testId="console-copy" label="Copy" title="Copy the selection (Ctrl+Shift+C)" onClick={copy} />
        <ToolButton testId="console-paste" label="Paste" title="Paste into the console (Ctrl+Shift+V)" onClick={paste} />
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
        <label className="console-select">
          Scrollback
          <select data-testid="console-scrollback" value={scrollback} onChange={(e) => setScrollback(Number(e.target.value))}>
            {SCROLLBACK_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n.toLocaleString()} lines
              </option>
            ))}
          </select>
        </label>
      </ConsoleToolbar>
      {state.state === 'reconnecting' || state.state === 'disconnected' ? (
        <div className="console-banner warn" role="status" data-testid="console-banner">
          {state.message} — the console reconnects by itself.
        </div>
      ) : null}
      {ended ? (
        <div className="console-banner danger" role="alert" data-testid="console-banner">
          {state.state === 'failed' ? `Could not open the console: ${state.message}` : `${state.message}.`}
          <button type="button" className="btn small" data-testid="console-reconnect" onClick={() => setGeneration((g) => g + 1)}>
            Reconnect
          </button>
        </div>
      ) : null}
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
