import { useEffect, useState } from 'react';
import type { DirListing } from '../../shared/contract-types';
import { xen } from '../api/client';
import { errorInfo, type ErrorInfo } from '../lib/errors';
import { formatBytes } from '../lib/format';
import { ErrorNote } from './ErrorNote';
import { Modal } from './Modal';

type Filter = 'any' | 'iso' | 'image' | 'kernel' | 'dir';

/** The listing of `dir` on the host while the chooser is open (the last good one stays until the next arrives). */
function useDirListing(open: boolean, dir: string, filter: Filter): { listing: DirListing | null; error: ErrorInfo | null } {
  const [listing, setListing] = useState<DirListing | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  useEffect(() => {
    if (!open) return;
    let live = true;
    setError(null);
    xen.files
      .list({ dir, filter })
      .then((l) => live && setListing(l))
      .catch((e: unknown) => {
        if (!live) return;
        setListing(null);
        setError(errorInfo(e));
      });
    return () => {
      live = false;
    };
  }, [open, dir, filter]);
  return { listing, error };
}

/** The parent directory, then each entry: a directory opens, anything else is picked. */
/**
 * A folder, file or block device drawn as SVG: emoji have no glyph in a stock Debian Chromium and showed as empty
 * boxes. Decorative; the name beside it says what it is.
 */
function FileIcon({ kind }: { kind: 'dir' | 'file' | 'block' }) {
  const d = {
    dir: 'M1.5 3.5h5l1.5 1.5h6.5v8h-13z',
    file: 'M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3',
    block: 'M2 4.5h12v7H2z M4 9.5h2 M11.5 8a.5.5 0 1 0 0 1',
  }[kind];
  return (
    <svg className={`file-icon ${kind}`} width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" data-kind={kind}>
      <path d={d} fill={kind === 'dir' ? 'currentColor' : 'none'} fillOpacity={kind === 'dir' ? 0.25 : undefined} stroke="currentColor" strokeWidth="1.1" strokeLinejoin="round" />
    </svg>
  );
}

function FileList({ listing, testId, setDir, pick }: { listing: DirListing | null; testId: string; setDir: (dir: string) => void; pick: (path: string) => void }) {
  return (
    <ul className="file-list" role="listbox" aria-label="Files" data-testid={`${testId}-list`}>
      {listing?.parent && (
        <li>
          <button type="button" className="file-item" onClick={() => setDir(listing.parent ?? '/')} data-testid={`${testId}-up`}>
            <FileIcon kind="dir" /> ..
          </button>
        </li>
      )}
      {listing?.entries.map((e) => (
        <li key={e.path}>
          <button
            type="button"
            className="file-item"
            data-testid={`${testId}-entry-${e.name}`}
            onClick={() => {
              if (e.kind === 'dir') setDir(e.path);
              else pick(e.path);
            }}
          >
            <FileIcon kind={e.kind === 'dir' ? 'dir' : e.kind === 'block' ? 'block' : 'file'} />
            <span className="grow">{e.name}</span>
            <span className="muted">{e.kind === 'dir' ? '' : formatBytes(e.sizeBytes)}</span>
          </button>
        </li>
      ))}
      {listing && listing.entries.length === 0 && <li className="muted">Nothing here matches.</li>}
    </ul>
  );
}

/** Picks a file on the host: main lists directories (files:list); the renderer never touches files itself. */
export function FileChooser({
  open,
  onOpenChange,
  startDir,
  filter,
  title,
  onPick,
  testId = 'file-chooser',
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  startDir: string;
  filter: Filter;
  title: string;
  onPick: (path: string) => void;
  testId?: string;
}) {
  const [dir, setDir] = useState(startDir);
  const { listing, error } = useDirListing(open, dir, filter);
  const pick = (path: string): void => {
    onPick(path);
    onOpenChange(false);
  };
  return (
    <Modal open={open} onOpenChange={onOpenChange} title={title} description={<span className="mono">{dir}</span>} testId={testId} wide>
      {error && <ErrorNote error={error} testId={`${testId}-error`} />}
      <FileList listing={listing} testId={testId} setDir={setDir} pick={pick} />
      <div className="modal-actions">
        {listing?.freeBytes != null && <span className="muted grow">{`${formatBytes(listing.freeBytes)} free`}</span>}
        {filter === 'dir' && (
          <button type="button" className="btn primary" onClick={() => pick(dir)}>
            Use this folder
          </button>
        )}
        <button type="button" className="btn" onClick={() => onOpenChange(false)}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

/** A path field with a Browse… button opening the chooser. */
export function PathField({
  value,
  onChange,
  filter,
  startDir,
  label,
  testId,
}: {
  value: string;
  onChange: (v: string) => void;
  filter: Filter;
  startDir: string;
  label: string;
  testId: string;
}) {
  const [open, setOpen] = useState(false);
  const parent = value.includes('/') && value.lastIndexOf('/') > 0 ? value.slice(0, value.lastIndexOf('/')) : startDir;
  return (
    <div className="path-field">
      <label className="field-label">
        {label}
        <input className="input mono" value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId} spellCheck={false} />
      </label>
      <button type="button" className="btn" onClick={() => setOpen(true)} data-testid={`${testId}-browse`}>
        Browse…
      </button>
      <FileChooser open={open} onOpenChange={setOpen} startDir={parent} filter={filter} title={label} onPick={onChange} testId={`${testId}-chooser`} />
    </div>
  );
}
