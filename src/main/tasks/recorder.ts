import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Channel } from '../../shared/contract';
import type { IpcResponse } from '../../shared/ipc-errors';
import type { TaskRecord } from '../../shared/tasks';
import type { CallContext, CallObserver, CallWatch } from '../gateway/registry';
import { describeTask } from './task-table';
import { clip, outcomeOf, scrub, secretsIn } from './outcome';
import { TASK_LOG_FILE, TaskLog } from './task-log';

/** What the recorder needs: where records are kept, how they are announced, and the facts it cannot know itself. */
export interface RecorderDeps {
  log: TaskLog;
  /** Announces a record as it is now (task:update to every client). */
  emit(record: TaskRecord): void;
  /** The toolstack's label at the time of the call. */
  host(): string;
  /** The OS user Xenith runs as. */
  user: string;
  now?: () => number;
}

const MAX_PROGRESS = 600;

/**
 * Follows every call the registry runs and records the ones that change something (task-table.ts) as tasks: started,
 * progress of long jobs, and how each ended. Reads and sessions pass untouched.
 */
export class TaskRecorder implements CallObserver {
  private readonly now: () => number;

  constructor(private readonly deps: RecorderDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A valid call is about to run: a task starts when it is one. */
  begin(channel: Channel, args: unknown, ctx: CallContext): CallWatch | null {
    const label = describeTask(channel, args as never);
    if (label === null) return null;
    const secrets = secretsIn(args);
    let rec: TaskRecord = {
      id: `${this.now().toString(36)}-${randomBytes(4).toString('hex')}`,
      channel,
      // Every field within the record schema's bounds, so a long path cannot make the line unreadable after a restart.
      operation: clip(scrub(label.operation, secrets), 600),
      domains: label.domains.slice(0, 64).map((d) => clip(d, 64)),
      host: clip(this.deps.host(), 200),
      user: clip(this.deps.user, 100),
      client: clip(ctx.client ?? ctx.clientId, 100),
      startedAt: this.now(),
      endedAt: null,
      durationMs: null,
      state: 'running',
      progress: label.running === undefined ? null : clip(scrub(label.running, secrets), MAX_PROGRESS),
      error: null,
    };
    this.deps.log.put(rec);
    this.deps.emit(rec);
    return {
      progress: (message) => {
        if (rec.state !== 'running') return;
        rec = { ...rec, progress: scrub(message, secrets).slice(0, MAX_PROGRESS) };
        this.deps.log.touch(rec);
        this.deps.emit(rec);
      },
      end: (answer: IpcResponse<unknown>) => {
        const endedAt = this.now();
        const { state, error } = outcomeOf(channel, answer, secrets);
        // The words a job said while it ran stay only when it said them itself (a wizard phase, a copy's percentage).
        const progress = rec.progress === (label.running ?? null) ? null : rec.progress;
        rec = { ...rec, endedAt, durationMs: Math.max(0, endedAt - rec.startedAt), state, error, progress };
        this.deps.log.put(rec);
        this.deps.emit(rec);
      },
    };
  }

  /** The log, newest first. */
  list(limit?: number): TaskRecord[] {
    return this.deps.log.list(limit);
  }

  /** Resolves once every record so far is written. */
  flush(): Promise<void> {
    return this.deps.log.flush();
  }
}

/** The OS user Xenith runs as, for the log's "who". */
export function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry for this uid (a container): the environment's word, else the number.
    return process.env['USER'] ?? process.env['LOGNAME'] ?? `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** Opens the task log under `dataDir` and the recorder writing to it, announcing through `emit`. */
export async function openTaskRecorder(dataDir: string, emit: (r: TaskRecord) => void, host: () => string): Promise<TaskRecorder> {
  let said = false;
  const log = await TaskLog.open(join(dataDir, TASK_LOG_FILE), {
    // Once: a full disk would otherwise say it at every task. The log goes on in memory.
    onError: (e) => {
      if (said) return;
      said = true;
      console.warn(`xenith: the task log in ${dataDir} cannot be written (kept in memory only): ${e instanceof Error ? e.message : String(e)}`);
    },
  });
  return new TaskRecorder({ log, emit, host, user: osUserName() });
}
