import { useState } from 'react';
import type { ErrorInfo } from '../lib/errors';

/**
 * What an error says first, and what follows it: the cause in plain words when main recognised one; else Xenith's own
 * refusal (it names the domain or field); else xl's own line; the generic words for the code only when there is
 * nothing better. xl's line follows a cause, and its full text is one click away.
 */
function errorLines(error: ErrorInfo): { lead: string; said: string | null } {
  const raw = error.detail;
  const xlLine = raw !== null && error.message !== '' && error.message !== error.words ? error.message : null;
  const own = raw === null && error.message !== '' && error.message !== error.words ? error.message : null;
  const lead = error.cause ?? own ?? (error.code === 'PERMISSION' ? null : xlLine) ?? error.words;
  return { lead, said: xlLine !== null && xlLine !== lead ? xlLine : null };
}

/** An error beside the action that failed: its cause first, xl's own words beneath, all of xl's text one click away. */
export function ErrorNote({ error, onDismiss, testId = 'error-note', prefix }: { error: ErrorInfo; onDismiss?: () => void; testId?: string; prefix?: string }) {
  const [open, setOpen] = useState(false);
  const raw = error.detail;
  const { lead, said } = errorLines(error);
  return (
    <div className="error-note" role="alert" data-testid={testId}>
      <span className="error-words" data-testid={`${testId}-words`}>
        {prefix ? `${prefix}: ` : ''}
        {lead}
      </span>
      {said !== null && (
        <span className="error-said muted small" data-testid={`${testId}-said`}>
          {`xl: ${said}`}
        </span>
      )}
      {raw !== null && (
        <button type="button" className="link-btn" aria-expanded={open} onClick={() => setOpen(!open)} data-testid={`${testId}-toggle`}>
          {open ? 'Hide xl’s output' : 'Show xl’s full output'}
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
