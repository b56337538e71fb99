import { useCallback, useEffect, useState, type ReactNode, type RefObject } from 'react';

/** What the status line shows. */
export interface ConsoleState {
  state: 'connecting' | 'connected' | 'disconnected' | 'reconnecting' | 'closed' | 'failed';
  message: string;
  /** A passing remark (clipboard refused ...), shown instead of the message. */
  note?: string;
}

/**
 * Fullscreen of one element through the Fullscreen API. Where the request is refused (Electron denies permission
 * requests by default) the element fills the window instead, until Esc or the button again.
 */
export function useFullscreen(ref: RefObject<HTMLElement | null>): { isFullscreen: boolean; toggle: () => void } {
  const [real, setReal] = useState(false);
  const [pseudo, setPseudo] = useState(false);
  useEffect(() => {
    const on = () => setReal(document.fullscreenElement !== null && document.fullscreenElement === ref.current);
    document.addEventListener('fullscreenchange', on);
    return () => document.removeEventListener('fullscreenchange', on);
  }, [ref]);
  useEffect(() => {
    ref.current?.classList.toggle('pseudo-fullscreen', pseudo);
    if (!pseudo) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && e.shiftKey) setPseudo(false);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [ref, pseudo]);
  const toggle = useCallback(() => {
    if (pseudo) return setPseudo(false);
    if (document.fullscreenElement) {
      void document.exitFullscreen().catch(() => undefined);
      return;
    }
    const el = ref.current;
    if (!el) return;
    void Promise.resolve()
      .then(() => el.requestFullscreen())
      .catch(() => setPseudo(true));
  }, [ref, pseudo]);
  return { isFullscreen: real || pseudo, toggle };
}

/** A small toolbar button. */
export function ToolButton({ label, title, onClick, testId, pressed, disabled }: { label: string; title: string; onClick: () => void; testId: string; pressed?: boolean; disabled?: boolean }) {
  return (
    <button type="button" className="btn small" title={title} aria-pressed={pressed} data-testid={testId} onClick={onClick} disabled={disabled}>
      {label}
    </button>
  );
}

const STATE_WORDS: Record<ConsoleState['state'], string> = {
  connecting: 'Connecting',
  connected: 'Connected',
  disconnected: 'Disconnected',
  reconnecting: 'Reconnecting',
  closed: 'Closed',
  failed: 'Failed',
};

/** The bar above a console: its state, the console's own tools, then detach and fullscreen. */
export function ConsoleToolbar({
  name,
  kind,
  state,
  children,
  onDetach,
  isFullscreen,
  onFullscreen,
}: {
  name: string;
  kind: 'text' | 'vnc';
  state: ConsoleState;
  children: ReactNode;
  onDetach?: (() => void) | undefined;
  isFullscreen: boolean;
  onFullscreen: () => void;
}) {
  return (
    <div className="console-toolbar" role="toolbar" aria-label={`${kind === 'text' ? 'Text' : 'Graphical'} console of ${name}`}>
      <span className={`console-badge ${state.state}`} data-testid="console-state">
        {STATE_WORDS[state.state]}
      </span>
      {children}
      <span className="console-spacer" />
      {onDetach ? <ToolButton testId="console-detach" label="Detach" title="Open this console in its own window" onClick={onDetach} /> : null}
      <ToolButton
        testId="console-fullscreen"
        label={isFullscreen ? 'Exit full screen' : 'Full screen'}
        title={isFullscreen ? 'Leave full screen' : 'Show the console on the whole screen'}
        pressed={isFullscreen}
        onClick={onFullscreen}
      />
    </div>
  );
}
