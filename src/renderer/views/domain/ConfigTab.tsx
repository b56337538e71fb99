import { useEffect, useRef, useState } from 'react';
import type { ConfigCheck, DomainConfigView } from '../../../shared/contract-types';
import { xen } from '../../api/client';
import { EditStatus } from '../../components/EditStatus';
import { ErrorNote } from '../../components/ErrorNote';
import { XlDryRunNote } from '../../components/FieldProblems';
import { Modal } from '../../components/Modal';
import { errorInfo, type ErrorInfo } from '../../lib/errors';
import { useEdit } from '../../lib/use-domain';
import type { TabProps } from './tab-props';

/** A unified diff with added and removed lines coloured. */
export function DiffView({ diff, testId }: { diff: string; testId: string }) {
  if (diff.trim() === '') return <p className="muted" data-testid={testId}>No changes.</p>;
  return (
    <pre className="diff" data-testid={testId}>
      {diff.split('\n').map((l, i) => (
        <div key={i} className={l.startsWith('+') && !l.startsWith('+++') ? 'add' : l.startsWith('-') && !l.startsWith('---') ? 'del' : l.startsWith('@@') ? 'hunk' : ''}>
          {l || ' '}
        </div>
      ))}
    </pre>
  );
}

/**
 * The edited text and the file's text it started from (`base`), and the check of the edited text, re-run 250 ms after
 * the last keystroke (a later check's answer wins).
 */
function useCheckedConfigText(name: string, view: DomainConfigView | null) {
  const [text, setText] = useState(view?.text ?? '');
  const [base, setBase] = useState(view?.text ?? '');
  const [check, setCheck] = useState<ConfigCheck | null>(null);
  const [checkErr, setCheckErr] = useState<ErrorInfo | null>(null);
  const seq = useRef(0);
  // Take the file's text when it loads, and again when it changes on disk while there are no local edits.
  useEffect(() => {
    if (!view) return;
    if (text === base) setText(view.text);
    setBase(view.text);
  }, [view?.text]); // the text and base at that moment are what matter
  useEffect(() => {
    if (!view) return;
    const my = ++seq.current;
    const t = setTimeout(() => {
      xen.domain
        .configCheck({ name, text })
        .then((c) => {
          if (my === seq.current) {
            setCheck(c);
            setCheckErr(null);
          }
        })
        .catch((e: unknown) => my === seq.current && setCheckErr(errorInfo(e)));
    }, 250);
    return () => clearTimeout(t);
  }, [name, text, view]);
  return { text, setText, base, setBase, check, checkErr };
}

/** The status line's words: checking, valid (and whether saved) or how many problems. */
function checkWords(check: ConfigCheck | null, dirty: boolean): string {
  if (check === null) return 'Checking…';
  const xlWarned = check.xl.warnings.length > 0 ? `, ${check.xl.warnings.length} xl warning${check.xl.warnings.length === 1 ? '' : 's'}` : '';
  if (check.ok) return `${dirty ? 'Valid; not saved' : 'Valid'}${xlWarned}`;
  return `${check.problems.length} problem${check.problems.length === 1 ? '' : 's'}`;
}

/** The check's problems, each with its line and field when known. */
function ProblemList({ check }: { check: ConfigCheck | null }) {
  if (!check || check.problems.length === 0) return null;
  return (
    <ul className="problems" data-testid="config-problems">
      {check.problems.map((p, i) => (
        <li key={i} className="error-text">
          {p.line !== undefined ? `Line ${p.line}: ` : ''}
          {p.field ? <strong>{p.field}</strong> : null}
          {p.field ? ' — ' : ''}
          {p.message}
        </li>
      ))}
    </ul>
  );
}

interface ConfigToolbarProps {
  path: string;
  check: ConfigCheck | null;
  dirty: boolean;
  busy: boolean;
  onRevert: () => void;
  onReview: () => void;
}

/** The file's path, the check's status, Revert and Review and save. */
function ConfigToolbar({ path, check, dirty, busy, onRevert, onReview }: ConfigToolbarProps) {
  return (
    <div className="row-gap">
      <span className="mono">{path}</span>
      <span className="muted small" title="xl reads the file when the domain is started; a reboot keeps what it runs with.">Saved changes apply when the domain is next started (not at a reboot).</span>
      <span className="grow" />
      <span data-testid="config-status" className={check?.ok === false ? 'error-text' : (check?.xl.warnings.length ?? 0) > 0 ? 'warn-text' : 'ok-text'}>
        {checkWords(check, dirty)}
      </span>
      <button type="button" className="btn" disabled={!dirty} onClick={onRevert} data-testid="config-revert">
        Revert
      </button>
      <button type="button" className="btn primary" disabled={!dirty || check?.ok !== true || busy} onClick={onReview} data-testid="config-save">
        Review and save…
      </button>
    </div>
  );
}

interface SaveDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  path: string;
  diff: string;
  onSave: () => void;
}

/** The diff of what a save changes, with Cancel and Save. */
function SaveDialog({ open, onOpenChange, path, diff, onSave }: SaveDialogProps) {
  return (
    <Modal open={open} onOpenChange={onOpenChange} title={`Save ${path}?`} description="These lines change. The domain reads them at next start." testId="config-diff-dialog" wide>
      <DiffView diff={diff} testId="config-diff" />
      <div className="modal-actions">
        <button type="button" className="btn" onClick={() => onOpenChange(false)}>
          Cancel
        </button>
        <button type="button" className="btn primary" data-testid="config-save-confirm" onClick={onSave}>
          Save
        </button>
      </div>
    </Modal>
  );
}

/** The xl.cfg text, checked as you type (syntax and every field), with a diff before saving. Applies at next start. */
export function ConfigTab({ name, data, summary }: TabProps) {
  const view = data.config;
  const { text, setText, base, setBase, check, checkErr } = useCheckedConfigText(name, view);
  const [confirm, setConfirm] = useState(false);
  const save = useEdit();
  if (summary?.isDom0) {
    return (
      <p className="muted" data-testid="config-dom0">
        {`${name} is this host's control domain and has no xl config file. Xen starts it from the boot loader's entry (dom0_mem and dom0_max_vcpus on Xen's command line); /etc/xen/xl.conf holds the toolstack's defaults.`}
      </p>
    );
  }
  if (data.configError) return <ErrorNote error={data.configError} testId="config-load-error" />;
  if (!view) return <p className="muted">Loading…</p>;
  const dirty = text !== base;
  const changedOnDisk = view.text !== base;
  const onSave = () => {
    setConfirm(false);
    void save.run(async () => {
      await xen.domain.configSave({ name, text, expectedText: base });
      setBase(text);
      await data.reload();
    }, 'Saved; applies at next start.');
  };
  return (
    <div className="tab-body">
      <ConfigToolbar path={view.path} check={check} dirty={dirty} busy={save.busy} onRevert={() => setText(base)} onReview={() => setConfirm(true)} />
      {changedOnDisk && <p className="warn-text">The file changed on disk since you started editing; saving will be refused. Revert to load it.</p>}
      <textarea
        className="config-editor mono"
        spellCheck={false}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-label={`Config file of ${name}`}
        aria-invalid={check?.ok === false}
        data-testid="config-text"
        rows={24}
      />
      {checkErr && <ErrorNote error={checkErr} testId="config-check-error" />}
      <ProblemList check={check} />
      <XlDryRunNote xl={check?.xl} testId="config-xl" />
      <EditStatus edit={save} testId="config-save" />
      <SaveDialog open={confirm} onOpenChange={setConfirm} path={view.path} diff={check?.diff ?? ''} onSave={onSave} />
    </div>
  );
}
