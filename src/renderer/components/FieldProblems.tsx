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
