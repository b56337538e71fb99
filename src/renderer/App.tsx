import { useEffect } from 'react';
import { Shell } from './components/Shell';
import { useTheme } from './components/use-theme';
import { useRoute } from './lib/route';
import { tokenMissing } from './api/client';
import { useAppStore, watchAppStatus, watchLink } from './store/app-store';
import { useDomainsStore, watchDomains } from './store/domains-store';
import { StorageView } from './views/StorageView';
import { NetworksView } from './views/NetworksView';
import { HostView } from './views/HostView';
import { DomainsView } from './views/DomainsView';
import { WizardView } from './views/wizard/WizardView';
import { ConsoleView } from './views/console/ConsoleView';
import { TasksView } from './views/TasksView';
import { useTasksStore, watchTasks } from './store/tasks-store';

/** Browser mode opened without the printed address: nothing can be reached, so say how to get in. */
function NoToken() {
  return (
    <main className="no-token" role="alert">
      <h1>Open the address Xenith printed</h1>
      <p>
        This page was opened without its access token. Xenith printed an address ending in <code>#token=…</code> when it
        started; open that one. The token stays in this tab and is never sent to any other server.
      </p>
    </main>
  );
}

/** Root: starts the stores' subscriptions and picks the view for the route. */
export function App() {
  if (tokenMissing) return <NoToken />;
  return <ConnectedApp />;
}

function ConnectedApp() {
  useTheme();
  const route = useRoute();
  useEffect(() => {
    void useAppStore.getState().loadStatus();
    void useAppStore.getState().loadHost();
    const refetch = (): void => {
      void useAppStore.getState().loadStatus();
      void useAppStore.getState().loadHost();
      void useDomainsStore.getState().refresh();
      void useTasksStore.getState().load();
    };
    const offs = [watchAppStatus(), watchDomains(), watchTasks(), watchLink(refetch)];
    return () => offs.forEach((off) => off());
  }, []);
  // A console page (detached window or tab) is the console alone, without the app's sidebar.
  if (route.view === 'console') return <ConsoleView name={route.name} kind={route.kind} />;
  let view;
  switch (route.view) {
    case 'host':
      view = <HostView />;
      break;
    case 'storage':
      view = <StorageView />;
      break;
    case 'networks':
      view = <NetworksView />;
      break;
    case 'new':
      view = <WizardView />;
      break;
    case 'tasks':
      view = <TasksView />;
      break;
    default:
      view = <DomainsView />;
  }
  return <Shell>{view}</Shell>;
}
