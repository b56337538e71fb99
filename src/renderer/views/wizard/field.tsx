import type { ReactNode } from 'react';
import type { PlanProblem } from '../../../shared/wizard-plan';

/** The message for `field` among `problems`, if any. */
export function problemOf(problems: readonly PlanProblem[], field: string): string | undefined {
  return problems.find((p) => p.field === field)?.message;
}

/** A field's error under it; the message names the field ("Disk 1 path may not contain ..."). */
export function FieldError({ problems, field }: { problems: readonly PlanProblem[]; field: string }) {
  const msg = problemOf(problems, field);
  if (msg === undefined) return null;
  return (
    <p className="wiz-error" id={errId(field)} data-testid={`err-${field}`} role="alert">
      {msg}
    </p>
  );
}

/** The id of a field's error element, for aria-describedby. */
export function errId(field: string): string {
  return `wiz-err-${field.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** aria attributes tying an input to its error. */
export function invalidProps(problems: readonly PlanProblem[], field: string): { 'aria-invalid': boolean; 'aria-describedby'?: string } {
  return problemOf(problems, field) === undefined ? { 'aria-invalid': false } : { 'aria-invalid': true, 'aria-describedby': errId(field) };
}

/** A labelled input row with its error. */
export function Field({ label, field, problems, children, hint }: { label: string; field: string; problems: readonly PlanProblem[]; children: ReactNode; hint?: ReactNode }) {
  return (
    <div className="wiz-field">
      <label className="field-label">
        {label}
        {children}
      </label>
      {hint !== undefined && <p className="muted small wiz-hint">{hint}</p>}
      <FieldError problems={problems} field={field} />
    </div>
  );
}
