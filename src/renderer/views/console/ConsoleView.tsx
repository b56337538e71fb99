import { useEffect } from 'react';
import { routeHash } from '../../lib/route';
import { ConsolePanel } from './ConsolePanel';

/** The page of a detached console (its own window or tab): just the console, switchable between text and graphics. */
export function ConsoleView({ name, kind }: { name: string; kind: 'text' | 'vnc' }) {
  useEffect(() => {
    document.title = `${name} — ${kind === 'text' ? 'console' : 'display'} — Xenith`;
  }, [name, kind]);
  return (
    <div className="console-page" data-testid="console-view">
      <header className="console-page-head">
        <a className="btn small" href={routeHash({ view: 'domain', name, tab: 'console', kind })} data-testid="console-back" title="Show this console inside Xenith's window, with the domain list and the rest">
          ← Xenith
        </a>
        <strong>{name}</strong>
        <nav className="console-seg" aria-label="Console kind">
          <a className="btn small" aria-current={kind === 'text' ? 'page' : undefined} href={routeHash({ view: 'console', name, kind: 'text' })} data-testid="console-kind-text">
            Text console
          </a>
          <a className="btn small" aria-current={kind === 'vnc' ? 'page' : undefined} href={routeHash({ view: 'console', name, kind: 'vnc' })} data-testid="console-kind-vnc">
            Graphical console
          </a>
        </nav>
      </header>
      <ConsolePanel key={`${name}/${kind}`} name={name} kind={kind} detachable={false} />
    </div>
  );
}
