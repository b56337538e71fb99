import { create } from 'zustand';
import type { TaskRecord } from '../../shared/tasks';
import { xen } from '../api/client';
import { upsertTask } from './task-selectors';

export { selectRunning, selectUnseenFailures } from './task-selectors';

interface TasksState {
  /** Newest first. */
  tasks: TaskRecord[];
  loaded: boolean;
  error: string | null;
  /** When the user last looked at the log (epoch ms): failures after it make the status bar's badge. */
  seenAt: number;
  load(): Promise<void>;
  markSeen(): void;
}

const SEEN_KEY = 'xenith.tasksSeenAt';

function initialSeen(): number {
  const v = typeof localStorage !== 'undefined' ? Number(localStorage.getItem(SEEN_KEY)) : NaN;
  return Number.isFinite(v) ? v : 0;
}

/** Updates that arrived while the list was being read; applied over it once it is in (kept until the last read ends). */
let pending: TaskRecord[] | null = null;
let reading = 0;

/** The task log as main keeps it: read once, then kept current by task:update. */
export const useTasksStore = create<TasksState>((set, get) => ({
  tasks: [],
  loaded: false,
  error: null,
  seenAt: initialSeen(),
  async load() {
    pending ??= [];
    reading++;
    try {
      let tasks = await xen.tasks.list();
      for (const t of pending) tasks = upsertTask(tasks, t);
      set({ tasks, loaded: true, error: null });
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e), loaded: true });
    } finally {
      if (--reading === 0) pending = null;
    }
  },
  markSeen() {
    // Main's clock, not this page's: a browser on another machine may run ahead or behind it.
    const newest = Math.max(get().seenAt, ...get().tasks.map((t) => t.endedAt ?? t.startedAt));
    if (newest === get().seenAt) return;
    localStorage.setItem(SEEN_KEY, String(newest));
    set({ seenAt: newest });
  },
}));

/** Reads the log and follows main's task:update events. */
export function watchTasks(): () => void {
  void useTasksStore.getState().load();
  return xen.on('task:update', (t) => {
    pending?.push(t);
    useTasksStore.setState((s) => ({ tasks: upsertTask(s.tasks, t) }));
  });
}
