import { useEffect } from 'react';
import { Shell } from './components/Shell';
import { useTheme } from './components/use-theme';
import { useRoute } from './lib/route';
import { useAppStore, watchAppStatus } from './store/app-store';
import { watchDomains } from './store/domains-store';
import { HostView } from './views/HostView';
import { DomainsView } from './views/DomainsView';
import { WizardView } from './views/wizard/WizardView';
import { ConsoleView } from './views/console/ConsoleView';

/** Root: starts the stores' subscriptions and picks the view for the route. */
export function App() {
  useTheme();
  const route = useRoute();
  useEffect(() => {
    void useAppStore.getState().loadStatus();
    void useAppStore.getState().loadHost();
    const offs = [watchAppStatus(), watchDomains()];
    return () => offs.forEach((off) => off());
  }, []);
  // A console page (detached window or tab) is the console alone, without the app's sidebar.
  if (route.view === 'console') return <ConsoleView name={route.name} kind={route.kind} />;
  let view;
  switch (route.view) {
    case 'host':
      view = <HostView />;
      break;
    case 'new':
      view = <WizardView />;
      break;
    default:
      view = <DomainsView />;
  }
  return <Shell>{view}</Shell>;
}
