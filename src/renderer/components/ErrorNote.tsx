import { useState } from 'react';
import type { ErrorInfo } from '../lib/errors';

/** An error beside the action that failed: plain words first, xl's own message one click away. */
export function ErrorNote({ error, onDismiss, testId = 'error-note', prefix }: { error: ErrorInfo; onDismiss?: () => void; testId?: string; prefix?: string }) {
  const [open, setOpen] = useState(false);
  // Xenith's own refusals (no stderr) say exactly what is wrong, naming the domain or field: show them in full. xl's
  // stderr stays one click away.
  const own = error.detail === null && error.message !== '' && error.message !== error.words ? error.message : null;
  const raw = error.detail;
  return (
    <div className="error-note" role="alert" data-testid={testId}>
      <span className="error-words" data-testid={`${testId}-words`}>
        {prefix ? `${prefix}: ` : ''}
        {own ?? error.words}
        {error.detail && error.message && error.message !== error.detail ? ` ${error.message}` : ''}
      </span>
      {raw !== null && (
        <button type="button" className="link-btn" aria-expanded={open} onClick={() => setOpen(!open)} data-testid={`${testId}-toggle`}>
          {open ? 'Hide details' : 'Show xl’s message'}
        </button>
      )}
      {onDismiss && (
        <button type="button" className="link-btn" onClick={onDismiss} aria-label="Dismiss" data-testid={`${testId}-dismiss`}>
          ✕
        </button>
      )}
      {open && raw !== null && (
        <pre className="error-detail" data-testid={`${testId}-detail`}>
          {raw}
        </pre>
      )}
    </div>
  );
}
