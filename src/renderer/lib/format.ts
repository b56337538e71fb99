/** Number formatting for the UI: sizes, rates, durations. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Bytes in binary units with one decimal below 10: 1536 -> "1.5 KiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 && u > 0 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}

/** A byte rate: "1.5 MiB/s". */
export function formatRate(bps: number): string {
  return `${formatBytes(bps)}/s`;
}

/** MiB as MiB or GiB: 512 -> "512 MiB", 4096 -> "4 GiB", 1536 -> "1.5 GiB". */
export function formatMiB(mib: number): string {
  if (!Number.isFinite(mib)) return '—';
  if (mib >= 1024) {
    const g = mib / 1024;
    return `${Number.isInteger(g) ? g : g.toFixed(1)} GiB`;
  }
  return `${Math.round(mib)} MiB`;
}

/** Seconds as a short duration: 59 -> "59s", 3700 -> "1h 1m", 90000 -> "1d 1h". */
export function formatUptime(s: number | null): string {
  if (s === null || !Number.isFinite(s) || s < 0) return '—';
  const sec = Math.floor(s);
  const d = Math.floor(sec / 86400);
  const h = Math.floor((sec % 86400) / 3600);
  const m = Math.floor((sec % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec % 60}s`;
  return `${sec}s`;
}

/** A percentage with one decimal below 10: 3.14 -> "3.1%", 42.4 -> "42%". */
export function formatPct(p: number): string {
  if (!Number.isFinite(p)) return '—';
  return `${p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}

/** The status bar's memory words: free of total in GiB, with a decimal below 10 GiB so 1.1 GiB never reads as 1 or 5. */
export function freeMemWords(freeMiB: number, totalMiB: number): string {
  const gib = (m: number): string => {
    const g = m / 1024;
    return g < 10 ? g.toFixed(1) : String(Math.round(g));
  };
  return `${gib(Math.max(0, freeMiB))} of ${gib(totalMiB)} GiB free`;
}
