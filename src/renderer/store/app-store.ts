import { create } from 'zustand';
import type { HostInfo, ToolstackStatus } from '../../shared/dto';
import { onLink, xen } from '../api/client';

/** Theme choice; 'system' follows prefers-color-scheme. */
export type ThemeChoice = 'system' | 'light' | 'dark';

interface AppState {
  status: ToolstackStatus | null;
  host: HostInfo | null;
  hostError: string | null;
  theme: ThemeChoice;
  setTheme(t: ThemeChoice): void;
  loadStatus(): Promise<void>;
  loadHost(): Promise<void>;
}

const THEME_KEY = 'xenith.theme';

function initialTheme(): ThemeChoice {
  const t = typeof localStorage !== 'undefined' ? localStorage.getItem(THEME_KEY) : null;
  return t === 'light' || t === 'dark' ? t : 'system';
}

/** Connection status, host facts and UI preferences. */
export const useAppStore = create<AppState>((set) => ({
  status: null,
  host: null,
  hostError: null,
  theme: initialTheme(),
  setTheme(theme) {
    localStorage.setItem(THEME_KEY, theme);
    set({ theme });
  },
  async loadStatus() {
    try {
      set({ status: await xen.app.status() });
    } catch (e) {
      set({ status: { kind: 'local', label: 'unknown', connection: 'connecting', healthy: false, message: e instanceof Error ? e.message : String(e) } });
    }
  },
  async loadHost() {
    try {
      set({ host: await xen.host.info(), hostError: null });
    } catch (e) {
      set({ hostError: e instanceof Error ? e.message : String(e) });
    }
  },
}));

/** Browser mode's connection to Xenith's server, as the status bar shows it. */
export interface LinkView {
  up: boolean;
  /** When the next attempt to reconnect is (epoch ms), while down. */
  retryAt: number | null;
}

/** The page's connection to Xenith: up until the transport says otherwise. */
export const useLink = create<LinkView>(() => ({ up: true, retryAt: null }));

/**
 * Follows the connection to Xenith's server: while it is down the status bar and title say so with a countdown; once
 * it is back, everything missed while away (status, host facts, the list) is read again.
 */
export function watchLink(refetch: () => void): () => void {
  return onLink((link) => {
    const wasDown = !useLink.getState().up;
    useLink.setState({ up: link.up, retryAt: link.retryAt });
    if (link.up && wasDown) refetch();
  });
}

/** Keeps status current from main's pushes; host facts that failed to load are read again once the host answers. */
export function watchAppStatus(): () => void {
  return xen.on('app:status', (s) => {
    useAppStore.setState({ status: s });
    if (s.connection === 'connected' && useAppStore.getState().hostError !== null) void useAppStore.getState().loadHost();
  });
}
