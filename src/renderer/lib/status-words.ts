import type { ToolstackStatus } from '../../shared/dto';

/** The status bar's words for the toolstack connection; true ones: never "Connected" while the host does not answer. */
export function statusWords(status: ToolstackStatus | null): { text: string; dot: 'ok' | 'bad' | 'wait' } {
  if (!status) return { text: 'Connecting…', dot: 'wait' };
  const why = status.healthy ? '' : ` — ${status.message}`;
  switch (status.connection) {
    case 'connecting':
      return { text: `Connecting to ${status.label}…${why}`, dot: status.healthy ? 'wait' : 'bad' };
    case 'unreachable':
      return { text: `Cannot reach ${status.label} — Xenith is retrying`, dot: 'bad' };
    case 'connected':
      return { text: `Connected to ${status.label}${why}`, dot: status.healthy ? 'ok' : 'bad' };
  }
}
