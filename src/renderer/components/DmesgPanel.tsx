import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { xen } from '../api/client';
import { errorInfo, type ErrorInfo } from '../lib/errors';
import { ErrorNote } from './ErrorNote';

const FOLLOW_MS = 3000;

/** The log's lines and the last read's error; reads once, then every few seconds while `follow` is on. */
function useDmesgLog(follow: boolean) {
  const [lines, setLines] = useState<string[] | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const load = useCallback(async () => {
    try {
      setLines(await xen.host.dmesg());
      setError(null);
    } catch (e) {
      setError(errorInfo(e));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (!follow) return;
    const t = setInterval(() => void load(), FOLLOW_MS);
    return () => clearInterval(t);
  }, [follow, load]);
  return { lines, error, load };
}

/** One log line, its first match of `q` (already trimmed) marked. */
function LogLine({ line, q }: { line: string; q: string }) {
  if (q === '') return <div>{line}</div>;
  const at = line.toLowerCase().indexOf(q.toLowerCase());
  return (
    <div>
      {line.slice(0, at)}
      <mark>{line.slice(at, at + q.length)}</mark>
      {line.slice(at + q.length)}
    </div>
  );
}

/** The hypervisor log (`xl dmesg`): search with highlighted matches, and follow (re-read every few seconds, stay at the end). */
export function DmesgPanel() {
  const [query, setQuery] = useState('');
  const [follow, setFollow] = useState(false);
  const { lines, error, load } = useDmesgLog(follow);
  const box = useRef<HTMLPreElement>(null);
  const shown = useMemo(() => {
    if (!lines) return [];
    const q = query.trim().toLowerCase();
    return q === '' ? lines : lines.filter((l) => l.toLowerCase().includes(q));
  }, [lines, query]);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown, follow]);
  const q = query.trim();
  return (
    <section className="card dmesg" data-testid="dmesg">
      <div className="row-gap">
        <h2>Hypervisor log</h2>
        <input type="search" className="input" placeholder="Search the log" aria-label="Search the hypervisor log" value={query} onChange={(e) => setQuery(e.target.value)} data-testid="dmesg-search" />
        <label className="check-row">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} data-testid="dmesg-follow" />
          Follow
        </label>
        <button type="button" className="btn" onClick={() => void load()} data-testid="dmesg-reload">
          Reload
        </button>
        <span className="muted small" data-testid="dmesg-count">{lines ? `${shown.length} of ${lines.length} lines` : 'Loading…'}</span>
      </div>
      {error && <ErrorNote error={error} testId="dmesg-error" />}
      <pre className="log" ref={box} tabIndex={0} aria-label="Hypervisor log lines" data-testid="dmesg-lines">
        {shown.map((l, i) => (
          <LogLine key={i} line={l} q={q} />
        ))}
      </pre>
    </section>
  );
}
