import { useState } from 'react';
import { xen } from '../api/client';

/**
 * A long job of this client (clone, snapshot, conversion): a fresh id for each run, and the words and percentage main
 * sends for it as job:progress while `start` runs.
 */
export function useJobProgress(prefix: string): { jobId: string | null; message: string | null; pct: number | null; run: <T>(start: (jobId: string) => Promise<T>) => Promise<T> } {
  const [jobId, setJobId] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [pct, setPct] = useState<number | null>(null);
  const run = async <T,>(start: (jobId: string) => Promise<T>): Promise<T> => {
    const id = `${prefix}-${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;
    setMessage(null);
    setPct(null);
    const off = xen.on('job:progress', (p) => {
      if (p.jobId !== id) return;
      setMessage(p.message);
      const m = /: (\d+)%$/.exec(p.message);
      setPct(m ? Number(m[1]) : null);
    });
    setJobId(id);
    try {
      return await start(id);
    } finally {
      off();
      setJobId(null);
    }
  };
  return { jobId, message, pct, run };
}

/** What main says while a job runs, with a bar when it gives a percentage. */
export function JobProgress({ message, pct, testId }: { message: string | null; pct: number | null; testId: string }) {
  return (
    <div data-testid={testId}>
      <p className="muted small">{message ?? 'Starting…'}</p>
      {pct !== null && (
        <div className="meter" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Done">
          <span className="meter-used" style={{ width: `${pct}%` }} />
        </div>
      )}
    </div>
  );
}
