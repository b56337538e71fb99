import { useEffect } from 'react';
import { Shell } from './components/Shell';
import { useTheme } from './components/use-theme';
import { useRoute } from './lib/route';
import { useAppStore, watchAppStatus } from './store/app-store';
import { watchDomains } from './store/domains-store';
import { HostView } from './views/HostView';
import { DomainsView } from './views/DomainsView';

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
  let view;
  switch (route.view) {
    case 'host':
      view = <HostView />;
      break;
    default:
      view = <DomainsView />;
  }
  return <Shell>{view}</Shell>;
}
