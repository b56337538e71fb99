import { mkdirSync } from 'node:fs';
import { ClassicLevel } from 'classic-level';
import type { StatsBatch } from '../../shared/dto';
import { tierOf, type HistorySeries, type HistoryTierId } from '../../shared/history';
import { Buckets, mergeRows, type FinishedBucket } from './buckets';
import { DOMAIN_WIDTH, HOST_WIDTH, decodeRow, domainRow, encodeRow, encodeTick, hostRow, nameKey, nameOfKey, readTickRow, rowKey, seriesRange, t13, tickKey, timeOfKey } from './codec';

type Db = ClassicLevel<string, Buffer>;
type Op = { type: 'put'; key: string; value: Buffer } | { type: 'del'; key: string };

/** Main's stats history: fed every tick, read by `history:read`. */
export interface HistoryStore {
  /** False when nothing is kept on disk (the store could not open); reads then return no rows. */
  readonly stored: boolean;
  /** Why the store could not open, for the log; null when it did. */
  readonly problem: string | null;
  /** Takes one stats tick. Returns at once: the write goes on in LevelDB's own thread. */
  ingest(b: StatsBatch): void;
  /** Rows of one series of one tier between two times, oldest first. */
  read(domain: string | null, tier: HistoryTierId, fromMs: number, toMs?: number): Promise<HistorySeries>;
  /** Resolves when every write started so far has landed (tests and benchmarks). */
  flush(): Promise<void>;
  /** Writes the unfinished minute and hour and closes the database. */
  close(): Promise<void>;
}

/** Options: a clock for reads without an end, and where write failures are reported (once each until one succeeds). */
export interface HistoryOptions {
  now?: () => number;
  onError?: (e: unknown) => void;
}

const SECOND = tierOf('second');
const MINUTE = tierOf('minute');
const HOUR = tierOf('hour');
/** The second tier is pruned every this many ticks; a coarse series is pruned about once every this many minutes. */
const PRUNE_TICKS = 10;
const PRUNE_ROUND_MINUTES = 50;

/** Opens (or creates) the store in `dir`; a store that cannot open (another Xenith holds it) keeps nothing. */
export async function openHistoryStore(dir: string, o: HistoryOptions = {}): Promise<HistoryStore> {
  let db: Db;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    db = new ClassicLevel<string, Buffer>(dir, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await db.open();
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    const why = cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e);
    return noHistoryStore(`the graph history in ${dir} could not be opened (${why}); graphs show only what this window sees`);
  }
  const names = new Map<string, number>();
  for await (const [k, v] of db.iterator({ gte: nameKey(''), lt: 'n\u0001' })) names.set(nameOfKey(k), Number(v.toString('latin1')) || 0);
  return new LevelHistory(db, names, o);
}

/** A store that keeps nothing (its reads say so); `problem` says why. */
export function noHistoryStore(problem: string): HistoryStore {
  return {
    stored: false,
    problem,
    ingest: () => undefined,
    read: (_d, tier) => Promise.resolve({ tier, width: 0, t: [], v: [], stored: false }),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

class LevelHistory implements HistoryStore {
  readonly stored = true;
  readonly problem = null;
  private readonly minute = new Buckets(MINUTE.stepMs);
  private readonly hour = new Buckets(HOUR.stepMs);
  /** The first bucket of each tier after opening may hold rows from before a restart: merge, do not replace. */
  private readonly mergeFirst = new Set<Buckets>([this.minute, this.hour]);
  private readonly inFlight = new Set<Promise<void>>();
  private readonly dom = new Float64Array(DOMAIN_WIDTH);
  private readonly hst = new Float64Array(HOST_WIDTH);
  private ticks = 0;
  private pruneAt = 0;
  private failing = false;
  private lastT = -Infinity;

  constructor(
    private readonly db: Db,
    /** Every series name ever stored ('' = the host), with when it was last seen. */
    private readonly names: Map<string, number>,
    private readonly o: HistoryOptions,
  ) {}

  ingest(b: StatsBatch): void {
    if (!(b.t > this.lastT)) return;
    this.lastT = b.t;
    const ops: Op[] = [{ type: 'put', key: tickKey(b.t), value: encodeTick(b) }];
    this.closeBuckets(b.t, ops);
    hostRow(b, this.hst);
    this.sumInto('', this.hst, b.t, ops);
    for (const d of b.domains) {
      domainRow(d, this.dom);
      this.sumInto(d.name, this.dom, b.t, ops);
    }
    if (++this.ticks % PRUNE_TICKS === 0) this.track(this.db.clear({ gte: tickKey(0), lt: tickKey(b.t - SECOND.keepMs) }));
    this.track(this.db.batch(ops));
  }

  private sumInto(name: string, row: Float64Array, t: number, ops: Op[]): void {
    this.minute.add(name, row);
    this.hour.add(name, row);
    if (!this.names.has(name)) ops.push({ type: 'put', key: nameKey(name), value: Buffer.from(t13(t), 'latin1') });
    this.names.set(name, t);
  }

  private closeBuckets(t: number, ops: Op[]): void {
    const m = this.minute.begin(t);
    if (m) this.writeBucket('m', this.minute, m, ops);
    const h = this.hour.begin(t);
    if (h) {
      this.writeBucket('h', this.hour, h, ops);
      for (const [name, seen] of this.names) ops.push({ type: 'put', key: nameKey(name), value: Buffer.from(t13(seen), 'latin1') });
    }
    if (m) this.pruneSome(t);
  }

  private writeBucket(tier: 'm' | 'h', from: Buckets, done: FinishedBucket, ops: Op[]): void {
    if (this.mergeFirst.delete(from)) {
      this.track(this.mergeAndWrite(tier, done));
      return;
    }
    for (const [name, r] of done.rows) ops.push({ type: 'put', key: rowKey(tier, name, done.t), value: encodeRow(r.avg, r.count) });
  }

  /** The first bucket after opening: rows written before a restart for the same minute or hour are folded in. */
  private async mergeAndWrite(tier: 'm' | 'h', done: FinishedBucket): Promise<void> {
    const entries = [...done.rows];
    const keys = entries.map(([name]) => rowKey(tier, name, done.t));
    const old = await this.db.getMany(keys);
    const ops: Op[] = entries.map(([name, r], i) => {
      const width = name === '' ? HOST_WIDTH : DOMAIN_WIDTH;
      const before = old[i] ? decodeRow(old[i], width) : null;
      const row = before ? mergeRows(before, r) : r;
      return { type: 'put', key: rowKey(tier, name, done.t), value: encodeRow(row.avg, row.count) };
    });
    await this.db.batch(ops);
  }

  /** Each minute, the minute and hour rows of a slice of the names that fell out of their windows are removed. */
  private pruneSome(t: number): void {
    const all = [...this.names.keys()];
    const per = Math.max(1, Math.ceil(all.length / PRUNE_ROUND_MINUTES));
    for (let k = 0; k < per && all.length > 0; k++) {
      const name = all[this.pruneAt++ % all.length] ?? '';
      this.track(this.db.clear(seriesRange('m', name, 0, t - MINUTE.keepMs)));
      this.track(this.db.clear(seriesRange('h', name, 0, t - HOUR.keepMs)));
      if ((this.names.get(name) ?? 0) < t - HOUR.keepMs) {
        this.names.delete(name);
        this.track(this.db.del(nameKey(name)));
      }
    }
  }

  private track(p: Promise<void>): void {
    const done = p.then(
      () => {
        this.failing = false;
      },
      (e: unknown) => {
        if (!this.failing) this.o.onError?.(e);
        this.failing = true;
      },
    );
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  async read(domain: string | null, tier: HistoryTierId, fromMs: number, toMs?: number): Promise<HistorySeries> {
    const name = domain ?? '';
    const width = name === '' ? HOST_WIDTH : DOMAIN_WIDTH;
    const to = toMs ?? (this.o.now ?? Date.now)();
    const out: HistorySeries = { tier, width, t: [], v: [], stored: true };
    if (tier === 'second') {
      for (const [k, buf] of await this.db.iterator({ gte: tickKey(fromMs), lte: tickKey(to) }).all()) {
        if (readTickRow(buf, name, out.v, out.t.length * width)) out.t.push(timeOfKey(k));
      }
      return out;
    }
    for (const [k, buf] of await this.db.iterator(seriesRange(tier === 'minute' ? 'm' : 'h', name, fromMs, to)).all()) {
      const row = decodeRow(buf, width);
      if (!row) continue;
      out.t.push(timeOfKey(k));
      for (const x of row.avg) out.v.push(x);
    }
    return out;
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async close(): Promise<void> {
    const ops: Op[] = [];
    for (const [tier, b] of [['m', this.minute], ['h', this.hour]] as const) {
      const part = b.take();
      if (part) this.writeBucket(tier, b, part, ops);
    }
    if (ops.length > 0) this.track(this.db.batch(ops));
    await this.flush();
    await this.db.close();
  }
}
