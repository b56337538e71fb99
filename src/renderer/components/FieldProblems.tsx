import type { XlDryRunReport } from '../../shared/contract-types';

/** Warnings about one field or device of a config, shown where that field is; nothing when there are none. */
export function FieldProblems({ problems, testId }: { problems: readonly string[]; testId: string }) {
  if (problems.length === 0) return null;
  return (
    <ul className="field-problems" data-testid={testId}>
      {problems.map((p) => (
        <li key={p} className="warn-text small">
          {p}
        </li>
      ))}
    </ul>
  );
}

/** The config's problems as a card: each names its field, and saving through the forms waits until they are fixed. */
export function ConfigProblemsCard({ problems }: { problems: readonly { field: string; message: string }[] }) {
  if (problems.length === 0) return null;
  return (
    <section className="card" data-testid="ov-config-problems">
      <h2>Config file warnings</h2>
      <p className="muted small">
        Every other value is shown as read from the file. Fix these in the Config tab before changing the domain through the other tabs, so
        no value is lost.
      </p>
      <FieldProblems problems={problems.map((p) => p.message)} testId="ov-config-problem-list" />
    </section>
  );
}

/** What xl's own dry run (`xl create -n`) said, beside Xenith's check: its refusal, its warnings, or why it did not run. */
export function XlDryRunNote({ xl, testId }: { xl: XlDryRunReport | null | undefined; testId: string }) {
  if (!xl) return null;
  if (!xl.ran) return <p className="muted small" data-testid={`${testId}-note`}>{xl.note}</p>;
  if (xl.errors.length === 0 && xl.warnings.length === 0) {
    return (
      <p className="ok-text small" data-testid={`${testId}-clean`}>
        xl create -n accepts it without warnings.
      </p>
    );
  }
  return (
    <div className="xl-dry-run" data-testid={testId}>
      <p className="small">
        <strong>xl create -n</strong> {xl.errors.length > 0 ? 'refuses it:' : 'accepts it, with warnings:'}
      </p>
      <ul className="field-problems mono small">
        {xl.errors.map((e) => (
          <li key={`e:${e}`} className="error-text" data-testid={`${testId}-error`}>
            {e}
          </li>
        ))}
        {xl.warnings.map((w) => (
          <li key={`w:${w}`} className="warn-text" data-testid={`${testId}-warning`}>
            {w}
          </li>
        ))}
      </ul>
    </div>
  );
}
