import type { EditState } from '../lib/use-domain';
import { ErrorNote } from './ErrorNote';

/** What an edit did, or why it failed, right beside its button. */
export function EditStatus({ edit, testId }: { edit: EditState; testId: string }) {
  if (edit.busy)
    return (
      <span className="muted" data-testid={`${testId}-busy`}>
        <span className="spinner" aria-hidden="true" /> Working…
      </span>
    );
  if (edit.error) return <ErrorNote error={edit.error} onDismiss={edit.clear} testId={`${testId}-error`} />;
  if (edit.done)
    return (
      <span className="ok-text" role="status" data-testid={`${testId}-done`}>
        {edit.done}
      </span>
    );
  return null;
}
