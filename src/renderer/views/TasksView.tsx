import { useEffect, useMemo, useState } from 'react';
import type { TaskRecord } from '../../shared/tasks';
import { durationWords, failureLead, filterTasks, RESULT_WORDS, timeWords, whoWords, type TaskFilter } from '../lib/task-words';
import { selectRunning, useTasksStore } from '../store/tasks-store';
import { useMedia } from '../lib/use-media';
import { describeErrorCode, type IpcErrorCode } from '../../shared/ipc-errors';

/** Below this width the Host column goes (one app talks to one host; the title bar names it). Matches theme.css. */
const NARROW = '(max-width: 1279px)';

/** Rows drawn at once; more on request (the log keeps up to 2000). */
const PAGE = 200;

const ICONS: Record<TaskRecord['state'], string> = { running: '', ok: '✓', failed: '✗', cancelled: '–', unknown: '?' };

/** The time now, ticking each second while `live` (a running task's duration counts up). */
function useNow(live: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [live]);
  return live ? now : Date.now();
}

/** The line under the operation: a running job's latest words, a failure's cause, or why the outcome is unknown. */
function OperationCell({ t }: { t: TaskRecord }) {
  const lead = failureLead(t);
  return (
    <td className="task-op">
      <span className="task-name">{t.operation}</span>
      {t.state === 'running' && t.progress !== null && (
        <span className="task-line muted" data-testid="task-progress">
          {t.progress}
        </span>
      )}
      {lead !== null && (
        <span className="task-line error-text" data-testid="task-error">
          {lead}
        </span>
      )}
      {t.state === 'unknown' && <span className="task-line warn-text">{t.progress}</span>}
    </td>
  );
}

/** The result as a pill, and for a failure a button that shows xl's own words. */
function ResultCell({ t, open, onToggle, detailId }: { t: TaskRecord; open: boolean; onToggle: () => void; detailId: string }) {
  const hasMore = t.error !== null;
  return (
    <td>
      <span className={`task-pill ts-${t.state}`} data-testid="task-result" title={t.state === 'unknown' ? 'Xenith stopped while this was running' : undefined}>
        {t.state === 'running' ? <span className="spinner" aria-hidden="true" /> : <span aria-hidden="true">{ICONS[t.state]}</span>}
        {RESULT_WORDS[t.state]}
      </span>
      {hasMore && (
        <button type="button" className="link-btn" aria-expanded={open} aria-controls={detailId} onClick={onToggle} data-testid="task-details-toggle">
          {open ? 'Hide' : 'Details'}
        </button>
      )}
    </td>
  );
}

/** A code's words, or nothing for a code this renderer does not know (PARTIAL, a newer main's). */
function codeWords(code: string): string {
  const w = describeErrorCode(code as IpcErrorCode) as string | undefined;
  return w ? `${code}: ${w}` : code;
}

/** What a failure said in full: the cause, Xenith's message, the code, when, and xl's own output. */
function TaskDetail({ t, id, span }: { t: TaskRecord; id: string; span: number }) {
  const e = t.error;
  return (
    <tr className="task-detail" id={id} data-testid="task-detail">
      <td colSpan={span}>
        <dl className="grid-facts small">
          {e?.cause && (
            <>
              <dt>Cause</dt>
              <dd>{e.cause}</dd>
            </>
          )}
          <dt>Message</dt>
          <dd>{e?.message ?? ''}</dd>
          <dt>Code</dt>
          <dd>{codeWords(e?.code ?? '')}</dd>
          <dt>When</dt>
          <dd>{`${new Date(t.startedAt).toLocaleString()}${t.endedAt !== null ? ` to ${new Date(t.endedAt).toLocaleTimeString()}` : ''}`}</dd>
          {e?.xl && (
            <>
              <dt>xl said</dt>
              <dd>
                <pre className="error-detail" data-testid="task-xl">
                  {e.xl}
                </pre>
              </dd>
            </>
          )}
        </dl>
      </td>
    </tr>
  );
}

/** One task: a row, and its details beneath when opened. */
function TaskRow({ t, now, narrow }: { t: TaskRecord; now: number; narrow: boolean }) {
  const [open, setOpen] = useState(false);
  const detailId = `task-detail-${t.id}`;
  return (
    <>
      <tr data-testid={`task-row-${t.id}`} data-state={t.state} data-channel={t.channel} className={open ? 'open' : undefined}>
        <td className="nowrap" title={new Date(t.startedAt).toLocaleString()}>
          {timeWords(t.startedAt, now)}
        </td>
        <OperationCell t={t} />
        <td className="task-wrap">{t.domains.length > 0 ? t.domains.join(', ') : '—'}</td>
        {!narrow && <td className="task-wrap">{t.host}</td>}
        <td className="task-wrap">{whoWords(t)}</td>
        <td className="c-num nowrap">{durationWords(t, now)}</td>
        <ResultCell t={t} open={open} onToggle={() => setOpen(!open)} detailId={detailId} />
      </tr>
      {open && <TaskDetail t={t} id={detailId} span={narrow ? 6 : 7} />}
    </>
  );
}

/** The table itself; its header fixes the column widths, so a running task's ticking figures never shift them. */
function TaskTable({ tasks, now }: { tasks: TaskRecord[]; now: number }) {
  const narrow = useMedia(NARROW);
  return (
    <table className="table task-table" data-testid="task-table">
      <thead>
        <tr>
          <th scope="col" className="w-time">
            Started
          </th>
          <th scope="col">Operation</th>
          <th scope="col" className="w-domain">
            Domain
          </th>
          {!narrow && (
            <th scope="col" className="w-host">
              Host
            </th>
          )}
          <th scope="col" className="w-who">
            Who
          </th>
          <th scope="col" className="w-duration c-num">
            Duration
          </th>
          <th scope="col" className="w-result">
            Result
          </th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <TaskRow key={t.id} t={t} now={now} narrow={narrow} />
        ))}
      </tbody>
    </table>
  );
}

/** The filter text, which tasks, and how many there are. */
function TasksToolbar(p: { text: string; setText: (s: string) => void; filter: TaskFilter; setFilter: (f: TaskFilter) => void; running: number; failed: number; total: number }) {
  return (
    <div className="toolbar" role="toolbar" aria-label="Task log filter">
      <input className="input filter" type="search" placeholder="Filter tasks…" aria-label="Filter tasks" value={p.text} onChange={(e) => p.setText(e.target.value)} data-testid="tasks-filter" />
      <select className="input" aria-label="Which tasks" value={p.filter} onChange={(e) => p.setFilter(e.target.value as TaskFilter)} data-testid="tasks-which">
        <option value="all">All tasks</option>
        <option value="running">Running</option>
        <option value="failed">Failed or unknown</option>
      </select>
      <span className="muted small" data-testid="tasks-summary">{`${p.total} task${p.total === 1 ? '' : 's'} · ${p.running} running · ${p.failed} failed`}</span>
    </div>
  );
}

/** The task log, like XenCenter's Events: every change Xenith made, newest first, kept across restarts. */
export function TasksView() {
  const tasks = useTasksStore((s) => s.tasks);
  const loaded = useTasksStore((s) => s.loaded);
  const error = useTasksStore((s) => s.error);
  const running = useTasksStore(selectRunning);
  const [text, setText] = useState('');
  const [filter, setFilter] = useState<TaskFilter>('all');
  const [shown, setShown] = useState(PAGE);
  const now = useNow(running > 0);
  // Looking at the log is seeing its failures: the status bar's badge clears, also for those that end while it is open.
  useEffect(() => useTasksStore.getState().markSeen(), [tasks]);
  const matching = useMemo(() => filterTasks(tasks, filter, text), [tasks, filter, text]);
  const failed = useMemo(() => tasks.filter((t) => t.state === 'failed').length, [tasks]);
  return (
    <div className="page tasks-page" data-testid="tasks-page">
      <div className="page-head">
        <h1>Tasks</h1>
        <span className="muted small">Everything Xenith changed on this host, newest first; kept when Xenith restarts.</span>
      </div>
      <TasksToolbar text={text} setText={setText} filter={filter} setFilter={setFilter} running={running} failed={failed} total={tasks.length} />
      {error !== null && <p className="error-text">{`The task log could not be read: ${error}`}</p>}
      <div className="task-scroll">
        <TaskTable tasks={matching.slice(0, shown)} now={now} />
        {loaded && matching.length === 0 && (
          <p className="empty muted" data-testid="tasks-empty">
            {tasks.length === 0 ? 'Nothing yet: starting, pausing, saving, creating and every other change Xenith makes is listed here.' : 'No task matches.'}
          </p>
        )}
        {matching.length > shown && (
          <p className="empty">
            <button type="button" className="btn" onClick={() => setShown(shown + PAGE)} data-testid="tasks-more">
              {`Show ${Math.min(PAGE, matching.length - shown)} more (${matching.length - shown} older)`}
            </button>
          </p>
        )}
      </div>
    </div>
  );
}
