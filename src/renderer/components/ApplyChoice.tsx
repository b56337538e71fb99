import type { ApplyMode } from '../../shared/schemas';

/** Words for each apply mode, used beside every edit. */
export const APPLY_WORDS: Record<ApplyMode, string> = {
  live: 'Now (running domain only; lost at next start)',
  config: 'At next start (config file only)',
  both: 'Now and at next start',
};

/** Chooses where an edit takes effect. `live` and `both` need a running domain. */
export function ApplyChoice({ value, onChange, running, testId, only }: { value: ApplyMode; onChange: (v: ApplyMode) => void; running: boolean; testId: string; only?: ApplyMode[] }) {
  const modes: ApplyMode[] = only ?? ['both', 'live', 'config'];
  return (
    <fieldset className="apply-choice" data-testid={testId}>
      <legend>Applies</legend>
      {modes.map((m) => {
        const disabled = m !== 'config' && !running;
        return (
          <label key={m} className={disabled ? 'disabled' : ''}>
            <input type="radio" name={testId} value={m} checked={value === m} disabled={disabled} onChange={() => onChange(m)} data-testid={`${testId}-${m}`} />
            {APPLY_WORDS[m]}
          </label>
        );
      })}
      {!running && <span className="muted small">The domain is not running: changes go to its config file.</span>}
      {running && modes.includes('config') && (
        <span className="muted small" data-testid={`${testId}-when`}>
          xl reads the config file when the domain is started: a reboot keeps what it runs with now, so shut it down and start it.
        </span>
      )}
    </fieldset>
  );
}

/** The default apply mode for a domain: both when running, else the config. */
export function defaultApply(running: boolean): ApplyMode {
  return running ? 'both' : 'config';
}
