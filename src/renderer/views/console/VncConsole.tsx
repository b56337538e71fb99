import { useCallback, useEffect, useRef, useState } from 'react';
import RFB from '@novnc/novnc';
import { xen } from '../../api/client';
import { errorInfo } from '../../lib/errors';
import { comboEvents, KEY_COMBOS, textKeysyms, type KeyCombo } from '../../lib/console-keys';
import { ConfirmDialog, Modal } from '../../components/Modal';
import { ConsoleToolbar, ToolButton, useFullscreen, type ConsoleState } from './ConsoleChrome';
import { testHooks } from './test-hooks';

const SCALE_KEY = 'xenith.vnc.scale';
/** How long after an unexpected disconnect noVNC connects again (the proxy finds the new port after a reboot). */
const RETRY_MS = 2000;

/**
 * A graphical console: noVNC through main's token-guarded WebSocket proxy. Fit-to-window or 1:1 scaling, full
 * screen, detach, key combinations the host would otherwise catch, typing the clipboard, and the VNC password.
 */
export function VncConsole({ name, onDetach }: { name: string; onDetach?: () => void }) {
  const frameRef = useRef<HTMLDivElement>(null);
  const screenRef = useRef<HTMLDivElement>(null);
  const rfbRef = useRef<RFB | null>(null);
  const [state, setState] = useState<ConsoleState>({ state: 'connecting', message: `Opening the display of ${name}…` });
  const [scale, setScale] = useState<'fit' | 'native'>(() => (localStorage.getItem(SCALE_KEY) === 'native' ? 'native' : 'fit'));
  const [askPassword, setAskPassword] = useState(false);
  const [password, setPassword] = useState('');
  const [confirmCombo, setConfirmCombo] = useState<KeyCombo | null>(null);
  const [typeBox, setTypeBox] = useState(false);
  const [typeText, setTypeText] = useState('');
  const [generation, setGeneration] = useState(0);
  const scaleRef = useRef(scale);
  scaleRef.current = scale;
  const { isFullscreen, toggle: toggleFullscreen } = useFullscreen(frameRef);

  useEffect(() => {
    const screen = screenRef.current;
    if (!screen) return;
    let cancelled = false;
    let id: string | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    const hooks = testHooks();

    // Each attempt opens a fresh proxy session: the old one is gone if our connection to main dropped meanwhile.
    const start = (first: boolean) => {
      xen.vnc.open({ name }).then(
        (res) => {
          if (cancelled) {
            void xen.vnc.close({ id: res.id }).catch(() => undefined);
            return;
          }
          id = res.id;
          connect(res.url, res.password);
        },
        (e: unknown) => {
          if (cancelled) return;
          if (first) {
            setState({ state: 'failed', message: errorInfo(e).message });
            return;
          }
          // While the guest reboots it is briefly not running: keep waiting for it.
          setState({ state: 'reconnecting', message: `Waiting for the display of ${name} (${errorInfo(e).message})` });
          retry = setTimeout(() => start(false), RETRY_MS);
        },
      );
    };
    const connect = (url: string, pw: string | null) => {
      if (cancelled) return;
      const rfb = new RFB(screen, url, { shared: true, ...(pw ? { credentials: { password: pw } } : {}) });
      rfbRef.current = rfb;
      if (hooks) hooks.rfb = rfb;
      rfb.scaleViewport = scaleRef.current === 'fit';
      rfb.clipViewport = false;
      rfb.resizeSession = false;
      rfb.focusOnClick = true;
      rfb.background = '#111318';
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
        setAskPassword(true);
      });
      rfb.addEventListener('securityfailure', (e) => {
        const reason = (e as CustomEvent<{ reason?: string }>).detail.reason;
        setState({ state: 'failed', message: `The display refused the connection${reason ? `: ${reason}` : ''}` });
      });
      rfb.addEventListener('disconnect', (e) => {
        if (rfbRef.current !== rfb || cancelled) return;
        rfbRef.current = null;
        const clean = (e as CustomEvent<{ clean: boolean }>).detail.clean;
        setState((s) =>
          s.state === 'failed'
            ? s
            : { state: 'reconnecting', message: clean ? `The display of ${name} closed` : `Lost the display of ${name} (the guest may be rebooting)` },
        );
        if (id !== null) void xen.vnc.close({ id }).catch(() => undefined);
        id = null;
        retry = setTimeout(() => start(false), RETRY_MS);
      });
    };
    start(true);
    return () => {
      cancelled = true;
      if (retry) clearTimeout(retry);
      const rfb = rfbRef.current;
      rfbRef.current = null;
      rfb?.disconnect();
      if (hooks && hooks.rfb === rfb) delete hooks.rfb;
      if (id !== null) void xen.vnc.close({ id }).catch(() => undefined);
    };
  }, [name, generation]);

  useEffect(() => {
    localStorage.setItem(SCALE_KEY, scale);
    if (rfbRef.current) rfbRef.current.scaleViewport = scale === 'fit';
  }, [scale]);

  const sendCombo = useCallback((c: KeyCombo) => {
    const rfb = rfbRef.current;
    if (!rfb) return;
    for (const ev of comboEvents(c)) rfb.sendKey(ev.keysym, ev.code, ev.down);
    rfb.focus();
  }, []);
  const chooseCombo = (label: string) => {
    const c = KEY_COMBOS.find((k) => k.label === label);
    if (!c) return;
    if (c.confirm) setConfirmCombo(c);
    else sendCombo(c);
  };
  const typeIntoGuest = useCallback((text: string) => {
    const rfb = rfbRef.current;
    if (!rfb) return;
    for (const k of textKeysyms(text)) {
      rfb.sendKey(k, null, true);
      rfb.sendKey(k, null, false);
    }
    rfb.focus();
  }, []);
  const typeClipboard = () => {
    // Reading the clipboard needs a permission the browser (or Electron's permission handler) may refuse.
    void (navigator.clipboard?.readText?.() ?? Promise.reject(new Error('no clipboard'))).then(
      (t) => typeIntoGuest(t),
      () => setTypeBox(true),
    );
  };

  const connected = state.state === 'connected';
  return (
    <div className="console-frame" ref={frameRef} data-testid="vnc-console" data-state={state.state}>
      <ConsoleToolbar name={name} kind="vnc" state={state} onDetach={onDetach} isFullscreen={isFullscreen} onFullscreen={toggleFullscreen}>
        <div className="console-seg" role="group" aria-label="Scaling">
          <ToolButton testId="vnc-scale-fit" label="Fit" title="Scale the display to the window" pressed={scale === 'fit'} onClick={() => setScale('fit')} />
          <ToolButton testId="vnc-scale-native" label="1:1" title="Show the display at its own size" pressed={scale === 'native'} onClick={() => setScale('native')} />
        </div>
        <label className="console-select">
          <span className="sr-only">Send a key combination</span>
          <select
            data-testid="vnc-sendkey"
            value=""
            disabled={!connected}
            onChange={(e) => {
              chooseCombo(e.target.value);
              e.target.value = '';
            }}
          >
            <option value="" disabled>
              Send key…
            </option>
            {KEY_COMBOS.map((c) => (
              <option key={c.label} value={c.label}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <ToolButton testId="vnc-type-clipboard" label="Type clipboard" title="Type the clipboard's text into the guest" onClick={typeClipboard} disabled={!connected} />
      </ConsoleToolbar>
      {state.state === 'reconnecting' ? (
        <div className="console-banner warn" role="status" data-testid="console-banner">
          {state.message}. Trying again…
        </div>
      ) : null}
      {state.state === 'failed' ? (
        <div className="console-banner danger" role="alert" data-testid="console-banner">
          {state.message}
          <button type="button" className="btn small" data-testid="console-reconnect" onClick={() => setGeneration((g) => g + 1)}>
            Try again
          </button>
        </div>
      ) : null}
      <div className={`vnc-screen ${scale}`} ref={screenRef} data-testid="vnc-screen" />
      <div className="console-statusline" data-testid="console-statusline">
        <span className={`console-dot ${state.state}`} aria-hidden="true" />
        <span>{state.message}</span>
        <span className="console-spacer" />
        <span>{scale === 'fit' ? 'Scaled to fit' : 'Actual size'}</span>
      </div>

      <Modal open={askPassword} onOpenChange={setAskPassword} title="VNC password" description={`The display of ${name} needs its VNC password.`} testId="vnc-password-dialog">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            rfbRef.current?.sendCredentials({ password });
            setAskPassword(false);
            setPassword('');
          }}
        >
          <input type="password" className="input" autoFocus aria-label="VNC password" data-testid="vnc-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          <div className="modal-actions">
            <button type="submit" className="btn primary" data-testid="vnc-password-ok">
              Connect
            </button>
          </div>
        </form>
      </Modal>

      <ConfirmDialog
        open={confirmCombo !== null}
        onOpenChange={(o) => {
          if (!o) setConfirmCombo(null);
        }}
        title={`Send ${confirmCombo?.label ?? ''}?`}
        description={`Most guests restart or log out on ${confirmCombo?.label ?? 'this key'}. Send it to ${name}?`}
        confirmLabel="Send"
        testId="vnc-confirm-keys"
        onConfirm={() => {
          if (confirmCombo) sendCombo(confirmCombo);
          setConfirmCombo(null);
        }}
      />

      <Modal open={typeBox} onOpenChange={setTypeBox} title="Type text into the guest" description="The clipboard could not be read. Paste or write the text here; it is typed key by key." testId="vnc-type-dialog">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            typeIntoGuest(typeText);
            setTypeBox(false);
            setTypeText('');
          }}
        >
          <textarea className="input" rows={5} autoFocus aria-label="Text to type" data-testid="vnc-type-text" value={typeText} onChange={(e) => setTypeText(e.target.value)} style={{ width: '100%' }} />
          <div className="modal-actions">
            <button type="submit" className="btn primary" data-testid="vnc-type-ok" disabled={typeText === ''}>
              Type it
            </button>
          </div>
        </form>
      </Modal>
    </div>
  );
}
