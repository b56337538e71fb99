import type { DomainSummary } from '../../../shared/dto';
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
