import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';
import { registerAppHandlers } from './app';
import { registerHostHandlers } from './host';
import { registerDomainHandlers } from './domains';
import { registerConsoleHandlers } from './console';
import { registerDomainHwHandlers } from './domain-hw';
import { registerDomainConfigHandlers } from './domain-config';
import { registerDetailsHandlers } from './details';
import { registerVncHandlers } from './vnc';
import { registerStorageHandlers } from './storage';
import { registerWizardHandlers } from './wizard';
import { registerHistoryHandlers } from './history';
import { registerCloneHandlers } from './clone';
import { registerSnapshotHandlers } from './snapshot';
import { registerTaskHandlers } from './tasks';
import { registerNetworkHandlers } from './networks';
import { registerTransferHandlers } from './transfer';

/** Registers every handler group; one file per area (STYLE.md: no god-file). */
export function registerHandlers(r: HandlerRegistry, s: Services): void {
  registerAppHandlers(r, s);
  registerHostHandlers(r, s);
  registerDomainHandlers(r, s);
  registerConsoleHandlers(r, s);
  registerDomainHwHandlers(r, s);
  registerDomainConfigHandlers(r, s);
  registerDetailsHandlers(r, s);
  registerVncHandlers(r, s);
  registerWizardHandlers(r, s);
  registerStorageHandlers(r, s);
  registerHistoryHandlers(r, s);
  registerCloneHandlers(r, s);
  registerSnapshotHandlers(r, s);
  registerTaskHandlers(r, s);
  registerNetworkHandlers(r, s);
  registerTransferHandlers(r, s);
}
