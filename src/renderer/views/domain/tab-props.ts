import type { DomainSummary } from '../../../shared/dto';
import type { ApplyMode } from '../../../shared/schemas';
import type { DomainData } from '../../lib/use-domain';

/** What every details tab gets. */
export interface TabProps {
  name: string;
  summary: DomainSummary | undefined;
  data: DomainData;
}

/** True when the domain has a running instance (live edits possible). */
export function isRunning(summary: DomainSummary | undefined): boolean {
  return summary !== undefined && summary.state !== 'stopped';
}

/** A device as both the config and the running domain see it (disks and NICs). */
interface Placed {
  inConfig: boolean;
  attached: boolean;
}

/** Where a device is, in words: "now and at boot", "now only" or "at next start". */
export function placeWords(d: Placed): string {
  if (d.inConfig && d.attached) return 'now and at boot';
  if (d.attached) return 'now only';
  return 'at next start';
}

/** Where a detach must act so the device goes from everywhere it is. */
export function detachApply(d: Placed): ApplyMode {
  if (d.attached && d.inConfig) return 'both';
  return d.attached ? 'live' : 'config';
}
