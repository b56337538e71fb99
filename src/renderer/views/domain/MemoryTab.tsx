import { useEffect, useState } from 'react';
import type { DomainSummary } from '../../../shared/dto';
import type { ApplyMode } from '../../../shared/schemas';
import { xen } from '../../api/client';
import { APPLY_WORDS, ApplyChoice, defaultApply } from '../../components/ApplyChoice';
import { EditStatus } from '../../components/EditStatus';
import { formatMiB } from '../../lib/format';
import { useEdit } from '../../lib/use-domain';
import { stats, useStatsTick } from '../../store/stats-store';
import { isRunning, type TabProps } from './tab-props';

/** The memory form: target, maximum and where to apply, following the domain's figures and running state. */
function useMemoryForm(summary: DomainSummary | undefined, running: boolean) {
  const [target, setTarget] = useState(summary?.memoryMiB ?? 512);
  const [max, setMax] = useState(summary?.maxMemMiB ?? 512);
  const [apply, setApply] = useState<ApplyMode>(defaultApply(running));
  useEffect(() => {
    if (summary) {
      setTarget(summary.memoryMiB);
      setMax(summary.maxMemMiB);
    }
  }, [summary?.memoryMiB, summary?.maxMemMiB]);
  useEffect(() => setApply(defaultApply(running)), [running]);
  return { target, setTarget, max, setMax, apply, setApply };
}

/** Memory target (live up to maxmem) and maxmem, now and/or in the config. */
export function MemoryTab({ name, summary }: TabProps) {
  useStatsTick();
  const running = isRunning(summary);
  const { target, setTarget, max, setMax, apply, setApply } = useMemoryForm(summary, running);
  const edit = useEdit();
  const sample = stats.latest.get(name);
  const ok = Number.isInteger(target) && Number.isInteger(max) && target >= 16 && max >= 16 && target <= max;
  return (
    <div className="tab-body">
      <section className="card">
        <h2>Memory</h2>
        <p className="muted">{`Now using ${sample ? formatMiB(sample.memKiB / 1024) : '—'}; target ${formatMiB(summary?.memoryMiB ?? 0)}, maximum ${formatMiB(summary?.maxMemMiB ?? 0)}.`}</p>
        <div className="row-gap">
          <label className="field-label grow">
            {`Target (MiB, up to the maximum ${max})`}
            <input type="range" min={16} max={Math.max(max, 16)} step={16} value={Math.min(target, max)} onChange={(e) => setTarget(Number(e.target.value))} data-testid="mem-target-range" aria-label="Memory target" />
          </label>
          <input type="number" className="input num" min={16} max={max} value={target} onChange={(e) => setTarget(Number(e.target.value))} data-testid="mem-target" aria-label="Memory target in MiB" />
          <label className="field-label">
            Maximum (maxmem, MiB)
            <input type="number" className="input num" min={16} value={max} onChange={(e) => setMax(Number(e.target.value))} data-testid="mem-max" />
          </label>
        </div>
        <ApplyChoice value={apply} onChange={setApply} running={running} testId="mem-apply" />
        <div className="row-gap">
          <button
            type="button"
            className="btn primary"
            disabled={!ok || edit.busy}
            data-testid="mem-save"
            onClick={() =>
              void edit.run(
                () =>
                  xen.domain.setMemory({
                    name,
                    ...(target !== summary?.memoryMiB || apply !== 'live' ? { targetMiB: target } : {}),
                    ...(max !== summary?.maxMemMiB ? { maxMiB: max } : {}),
                    apply,
                  }),
                `Memory set: ${APPLY_WORDS[apply].toLowerCase()}.`,
              )
            }
          >
            Apply memory
          </button>
          {!ok && <span className="error-text small">The target must be at least 16 MiB and at most the maximum.</span>}
          <EditStatus edit={edit} testId="mem-save" />
        </div>
        <p className="muted small">A live target above the running maximum is refused by Xen; raise the maximum first (it needs a guest that supports it).</p>
      </section>
    </div>
  );
}
