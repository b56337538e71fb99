import { useEffect, useState } from 'react';
import type { DomainConfigView, DomainDetails } from '../../../shared/contract-types';
import type { DomainSummary } from '../../../shared/dto';
import { EditStatus } from '../../components/EditStatus';
import { displayKeys, vfbField } from '../../lib/display-keys';
import { navigate } from '../../lib/route';
import { savePatch } from '../../lib/use-config-edit';
import { useEdit, type DomainData, type EditState } from '../../lib/use-domain';
import { isRunning, type TabProps } from './tab-props';

/** The VNC form, reset from the config (or, without one, from whether the domain has VNC) when the file changes. */
function useVncForm(view: DomainConfigView | null, summary: DomainSummary | undefined) {
  const [vnc, setVnc] = useState(false);
  const [listen, setListen] = useState('');
  const [display, setDisplay] = useState('');
  const [password, setPassword] = useState('');
  const cfg = view?.config ?? null;
  useEffect(() => {
    const vfb = cfg?.vfb;
    const pvVnc = Array.isArray(vfb) && vfb.some((v) => /(^|,)\s*vnc\s*=\s*1/.test(v));
    setVnc(cfg?.vnc ?? (pvVnc || (summary?.hasVnc ?? false)));
    setListen(cfg?.vnclisten ?? vfbField(vfb, 'vnclisten'));
    setDisplay(cfg?.vncdisplay !== undefined ? String(cfg.vncdisplay) : vfbField(vfb, 'vncdisplay'));
    setPassword('');
  }, [view?.text, summary?.hasVnc]);
  return { vnc, setVnc, listen, setListen, display, setDisplay, password, setPassword };
}

type VncForm = ReturnType<typeof useVncForm>;

/** Where the running VNC server listens, and the button to the graphical console. */
function VncNowCard({ name, summary, live }: { name: string; summary: DomainSummary | undefined; live: DomainDetails['vnc'] }) {
  const running = isRunning(summary);
  return (
    <section className="card">
      <h2>Graphical console</h2>
      <dl className="grid-facts">
        <dt>VNC now</dt>
        <dd data-testid="vnc-live">{live ? `listening on ${live.listen}:${live.port}` : running ? 'no VNC server' : 'not running'}</dd>
      </dl>
      <button type="button" className="btn primary" disabled={!running || !(live || summary?.hasVnc)} onClick={() => navigate({ view: 'domain', name, tab: 'console', kind: 'vnc' })} data-testid="open-vnc-console">
        Open graphical console
      </button>
    </section>
  );
}

/** The VNC enable box, listen address, display number and password fields. */
function VncFields({ f, listenOk, displayOk }: { f: VncForm; listenOk: boolean; displayOk: boolean }) {
  return (
    <div className="form-grid">
      <label className="check-row">
        <input type="checkbox" checked={f.vnc} onChange={(e) => f.setVnc(e.target.checked)} data-testid="vnc-enabled" />
        Give the domain a VNC display
      </label>
      <label className="field-label">
        Listen address (empty: 127.0.0.1)
        <input className="input mono" value={f.listen} onChange={(e) => f.setListen(e.target.value)} disabled={!f.vnc} aria-invalid={!listenOk} data-testid="vnc-listen" />
      </label>
      <label className="field-label">
        Display number (empty: the first free one)
        <input className="input mono" value={f.display} onChange={(e) => f.setDisplay(e.target.value)} disabled={!f.vnc} aria-invalid={!displayOk} data-testid="vnc-display" />
      </label>
      <label className="field-label">
        Password (empty: keep the current one)
        <input type="password" className="input" value={f.password} onChange={(e) => f.setPassword(e.target.value)} disabled={!f.vnc} autoComplete="new-password" data-testid="vnc-password" />
      </label>
    </div>
  );
}

/** The VNC settings written to the config, for next start. */
function VncSettingsCard({ name, data, type, f, edit }: { name: string; data: DomainData; type: string; f: VncForm; edit: EditState }) {
  const { vnc, listen, display, password } = f;
  const displayOk = display === '' || /^\d{1,4}$/.test(display);
  const listenOk = listen === '' || /^[A-Za-z0-9.:_-]+$/.test(listen);
  // Fields typed into before the config arrives would be overwritten by it: show them once it is here.
  if (!data.config) {
    return (
      <section className="card">
        <h2>VNC settings (next start)</h2>
        <p className="muted">{data.configError ? 'The config file could not be read (see the Config tab).' : 'Reading the config file…'}</p>
      </section>
    );
  }
  return (
    <section className="card">
      <h2>VNC settings (next start)</h2>
      <VncFields f={f} listenOk={listenOk} displayOk={displayOk} />
      {listen !== '' && listen !== '127.0.0.1' && listen !== 'localhost' && <p className="warn-text small">Listening beyond this host exposes the console to the network.</p>}
      <div className="row-gap">
        <button
          type="button"
          className="btn primary"
          disabled={edit.busy || !displayOk || !listenOk || !data.config}
          data-testid="vnc-save"
          onClick={() =>
            void edit.run(
              () => savePatch(name, data, displayKeys(type, { vnc, listen, display, password })),
              'Saved; takes effect at next start.',
            )
          }
        >
          Save for next start
        </button>
        <EditStatus edit={edit} testId="vnc-save" />
      </div>
    </section>
  );
}

/** VNC settings (next start), where the running VNC server listens, and the way to the graphical console. */
export function DisplayTab({ name, summary, data }: TabProps) {
  const view = data.config;
  const f = useVncForm(view, summary);
  const edit = useEdit();
  const type = summary?.type ?? view?.config?.type ?? '';
  return (
    <div className="tab-body">
      <VncNowCard name={name} summary={summary} live={data.details?.vnc ?? null} />
      {type === 'pvh' ? (
        <p className="muted" data-testid="vnc-pvh">PVH guests have no emulated display; use the text console.</p>
      ) : data.configError ? (
        <p className="muted">{`No config file to edit (${data.configError.message}).`}</p>
      ) : (
        <VncSettingsCard name={name} data={data} type={type} f={f} edit={edit} />
      )}
    </div>
  );
}
