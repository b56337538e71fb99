import { appendFile, chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TASK_LOG_LIMIT, taskRecordSchema, type TaskRecord } from '../../shared/tasks';

/** The file's name under the app's data directory. */
export const TASK_LOG_FILE = 'tasks.jsonl';

/** What a task still running when Xenith stopped says once Xenith is back. */
export const STOPPED_WORDS = 'Outcome unknown: Xenith stopped while this was running';

/** Options for a TaskLog (tests shrink the limit). */
export interface TaskLogOptions {
  /** Finished tasks kept; the oldest go first. */
  limit?: number;
  /** Called when the file cannot be read or written (the log then lives in memory only). */
  onError?: (e: unknown) => void;
}

/**
 * The task log on disk: `tasks.jsonl` in the data directory, one JSON record per line, appended when a task starts and
 * again when it ends (the later line of an id wins). A task whose last line says running was cut off by Xenith
 * stopping: it loads as 'unknown'. A line that does not parse (a crash mid-write, a hand edit) is skipped. When the
 * file holds twice the records kept, it is rewritten with the newest `limit` through a temporary file and a rename, so
 * a crash leaves the old file or the new one, never half of one.
 */
export class TaskLog {
  private readonly records = new Map<string, TaskRecord>();
  private readonly limit: number;
  private readonly onError: (e: unknown) => void;
  private lines = 0;
  /** Whether the file was made owner-only in this run. */
  private private = false;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    o: TaskLogOptions,
  ) {
    this.limit = o.limit ?? TASK_LOG_LIMIT;
    this.onError = o.onError ?? (() => undefined);
  }

  /** Reads the log at `file` (missing is empty) and rewrites it first when it is broken or too long. */
  static async open(file: string, o: TaskLogOptions = {}): Promise<TaskLog> {
    const log = new TaskLog(file, o);
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.onError(e);
    }
    const { bad } = log.load(text);
    // A torn last line would swallow the next append; a long file is trimmed now rather than on the next write.
    if (bad > 0 || (text !== '' && !text.endsWith('\n')) || log.lines > log.limit) log.enqueue(() => log.compact());
    return log;
  }

  private load(text: string): { bad: number } {
    let bad = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      this.lines++;
      const rec = parseLine(line);
      if (rec === null) bad++;
      else this.records.set(rec.id, rec.state === 'running' ? { ...rec, state: 'unknown', progress: STOPPED_WORDS } : rec);
    }
    this.trim();
    return { bad };
  }

  /** Keeps `rec` (new or changed) and appends it to the file. */
  put(rec: TaskRecord): void {
    this.touch(rec);
    const line = `${JSON.stringify(rec)}\n`;
    this.lines++;
    const compact = this.lines > 2 * this.limit;
    this.enqueue(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, line, { mode: 0o600 });
      // appendFile's mode applies only to a file it creates: one made earlier (or by hand) is made private too.
      if (!this.private) {
        await chmod(this.file, 0o600);
        this.private = true;
      }
      if (compact && this.lines > 2 * this.limit) await this.compact();
    });
  }

  /** Keeps `rec` in memory only (a progress message: the final line carries the last one). */
  touch(rec: TaskRecord): void {
    this.records.set(rec.id, rec);
    this.trim();
  }

  /** The records, newest first, at most `limit`. */
  list(limit = this.limit): TaskRecord[] {
    return [...this.records.values()].reverse().slice(0, limit);
  }

  /** Resolves once every write so far is on disk (or failed). */
  flush(): Promise<void> {
    return this.queue;
  }

  /** Drops the oldest finished records beyond the limit (a running one stays until it ends). */
  private trim(): void {
    let over = this.records.size - this.limit;
    for (const [id, r] of this.records) {
      if (over <= 0) break;
      if (r.state === 'running') continue;
      this.records.delete(id);
      over--;
    }
  }

  private async compact(): Promise<void> {
    const tmp = `${this.file}.tmp-${process.pid}`;
    const all = [...this.records.values()];
    await mkdir(dirname(this.file), { recursive: true });
    await writeFile(tmp, all.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
    await rename(tmp, this.file);
    this.lines = all.length;
  }

  private enqueue(job: () => Promise<void>): void {
    // Writes go one after another, in order; a failed one is reported and does not stop the next.
    this.queue = this.queue.then(job).catch((e: unknown) => this.onError(e));
  }
}

function parseLine(line: string): TaskRecord | null {
  try {
    const r = taskRecordSchema.safeParse(JSON.parse(line));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
