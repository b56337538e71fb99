import { useCallback, useEffect, useRef, useState, type Dispatch, type RefObject, type SetStateAction } from 'react';
import type RFB from '@novnc/novnc';
import { comboEvents, KEY_COMBOS, textKeysyms, type KeyCombo } from '../../lib/console-keys';
import { ConfirmDialog, Modal } from '../../components/Modal';
import { ConsoleToolbar, ToolButton, useFullscreen, type ConsoleState } from './ConsoleChrome';
import { testHooks } from './test-hooks';
import { newVncSession, startVnc, stopVnc } from './vnc-session';

const SCALE_KEY = 'xenith.vnc.scale';

type Scale = 'fit' | 'native';

/** noVNC in `screenRef` through a fresh proxy session, again whenever `generation` changes; follows the scaling. */
function useVncSession(
  screenRef: RefObject<HTMLDivElement | null>,
  name: string,
  generation: number,
  scale: Scale,
  setState: Dispatch<SetStateAction<ConsoleState>>,
  setAskPassword: (ask: boolean) => void,
): RefObject<RFB | null> {
  const rfbRef = useRef<RFB | null>(null);
  const scaleRef = useRef(scale);
  scaleRef.current = scale;

  useEffect(() => {
    const screen = screenRef.current;
    if (!screen) return;
    const session = newVncSession();
    const hooks = testHooks();
    startVnc(session, { name, screen, rfbRef, scaleRef, hooks, setState, setAskPassword }, true);
    return () => stopVnc(session, rfbRef, hooks);
  }, [screenRef, name, generation, setState, setAskPassword]);

  useEffect(() => {
    localStorage.setItem(SCALE_KEY, scale);
    if (rfbRef.current) rfbRef.current.scaleViewport = scale === 'fit';
  }, [scale]);
  return rfbRef;
}

function ScaleButtons({ scale, setScale }: { scale: Scale; setScale: (s: Scale) => void }) {
  return (
    <div className="console-seg" role="group" aria-label="Scaling">
      <ToolButton testId="vnc-scale-fit" label="Fit" title="Scale the display to the window" pressed={scale === 'fit'} onClick={() => setScale('fit')} />
      <ToolButton testId="vnc-scale-native" label="1:1" title="Show the display at its own size" pressed={scale === 'native'} onClick={() => setScale('native')} />
    </div>
  );
}

/** Sending keys to the guest: a combination, or text typed key by key. */
function useGuestKeys(rfbRef: RefObject<RFB | null>) {
  const sendCombo = useCallback(
    (c: KeyCombo) => {
      const rfb = rfbRef.current;
      if (!rfb) return;
      for (const ev of comboEvents(c)) rfb.sendKey(ev.keysym, ev.code, ev.down);
      rfb.focus();
    },
    [rfbRef],
  );
  const typeIntoGuest = useCallback(
    (text: string) => {
      const rfb = rfbRef.current;
      if (!rfb) return;
      for (const k of textKeysyms(text)) {
        rfb.sendKey(k, null, true);
        rfb.sendKey(k, null, false);
      }
      rfb.focus();
    },
    [rfbRef],
  );
  return { sendCombo, typeIntoGuest };
}

function SendKeySelect({ connected, onChoose }: { connected: boolean; onChoose: (label: string) => void }) {
  return (
    <label className="console-select">
      <span className="sr-only">Send a key combination</span>
      <select
        data-testid="vnc-sendkey"
        value=""
        disabled={!connected}
        onChange={(e) => {
          onChoose(e.target.value);
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
  );
}

/** While noVNC tries again by itself, and once it has given up (with Try again). */
function VncBanners({ state, onRetry }: { state: ConsoleState; onRetry: () => void }) {
  return (
    <>
      {state.state === 'reconnecting' ? (
        <div className="console-banner warn" role="status" data-testid="console-banner">
          {state.message}. Trying again…
        </div>
      ) : null}
      {state.state === 'failed' ? (
        <div className="console-banner danger" role="alert" data-testid="console-banner">
          {state.message}
          <button type="button" className="btn small" data-testid="console-reconnect" onClick={onRetry}>
            Try again
          </button>
        </div>
      ) : null}
    </>
  );
}

function VncStatusLine({ state, scale }: { state: ConsoleState; scale: Scale }) {
  return (
    <div className="console-statusline" data-testid="console-statusline">
      <span className={`console-dot ${state.state}`} aria-hidden="true" />
      <span>{state.message}</span>
      <span className="console-spacer" />
      <span>{scale === 'fit' ? 'Scaled to fit' : 'Actual size'}</span>
    </div>
  );
}

function PasswordDialog({ open, onOpenChange, name, onSubmit }: { open: boolean; onOpenChange: (o: boolean) => void; name: string; onSubmit: (password: string) => void }) {
  const [password, setPassword] = useState('');
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="VNC password" description={`The display of ${name} needs its VNC password.`} testId="vnc-password-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(password);
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
  );
}

function TypeTextDialog({ open, onOpenChange, onSubmit }: { open: boolean; onOpenChange: (o: boolean) => void; onSubmit: (text: string) => void }) {
  const [typeText, setTypeText] = useState('');
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Type text into the guest" description="The clipboard could not be read. Paste or write the text here; it is typed key by key." testId="vnc-type-dialog">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(typeText);
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
  );
}

/** A key combination the guest would act on drastically, asked about before it is sent. */
function ConfirmComboDialog({ combo, name, onClose, onSend }: { combo: KeyCombo | null; name: string; onClose: () => void; onSend: (c: KeyCombo) => void }) {
  return (
    <ConfirmDialog
      open={combo !== null}
      onOpenChange={(o) => {
        if (!o) onClose();
      }}
      title={`Send ${combo?.label ?? ''}?`}
      description={`Most guests restart or log out on ${combo?.label ?? 'this key'}. Send it to ${name}?`}
      confirmLabel="Send"
      testId="vnc-confirm-keys"
      onConfirm={() => {
        if (combo) onSend(combo);
        onClose();
      }}
    />
  );
}

/**
 * A graphical console: noVNC through main's token-guarded WebSocket proxy. Fit-to-window or 1:1 scaling, full
 * screen, detach, key combinations the host would otherwise catch, typing the clipboard, and the VNC password.
 */
export function VncConsole({ name, onDetach }: { name: string; onDetach?: () => void }) {
  const frameRef = useRef<HTMLDivElement>(null);
  const screenRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<ConsoleState>({ state: 'connecting', message: `Opening the display of ${name}…` });
  const [scale, setScale] = useState<Scale>(() => (localStorage.getItem(SCALE_KEY) === 'native' ? 'native' : 'fit'));
  const [askPassword, setAskPassword] = useState(false);
  const [confirmCombo, setConfirmCombo] = useState<KeyCombo | null>(null);
  const [typeBox, setTypeBox] = useState(false);
  const [generation, setGeneration] = useState(0);
  const { isFullscreen, toggle: toggleFullscreen } = useFullscreen(frameRef);
  const rfbRef = useVncSession(screenRef, name, generation, scale, setState, setAskPassword);

  const { sendCombo, typeIntoGuest } = useGuestKeys(rfbRef);
  const chooseCombo = (label: string) => {
    const c = KEY_COMBOS.find((k) => k.label === label);
    if (!c) return;
    if (c.confirm) setConfirmCombo(c);
    else sendCombo(c);
  };
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
        <ScaleButtons scale={scale} setScale={setScale} />
        <SendKeySelect connected={connected} onChoose={chooseCombo} />
        <ToolButton testId="vnc-type-clipboard" label="Type clipboard" title="Type the clipboard's text into the guest" onClick={typeClipboard} disabled={!connected} />
      </ConsoleToolbar>
      <VncBanners state={state} onRetry={() => setGeneration((g) => g + 1)} />
      <div className={`vnc-screen ${scale}`} ref={screenRef} data-testid="vnc-screen" />
      <VncStatusLine state={state} scale={scale} />

      <PasswordDialog
        open={askPassword}
        onOpenChange={setAskPassword}
        name={name}
        onSubmit={(password) => {
          rfbRef.current?.sendCredentials({ password });
          setAskPassword(false);
        }}
      />
      <ConfirmComboDialog combo={confirmCombo} name={name} onClose={() => setConfirmCombo(null)} onSend={sendCombo} />
      <TypeTextDialog
        open={typeBox}
        onOpenChange={setTypeBox}
        onSubmit={(text) => {
          typeIntoGuest(text);
          setTypeBox(false);
        }}
      />
    </div>
  );
}
