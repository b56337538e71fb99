import { create } from 'zustand';
import type { HostInfo, ToolstackStatus } from '../../shared/dto';
import { xen } from '../api/client';

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

/** Keeps status current from main's pushes; host facts that failed to load are read again once the host answers. */
export function watchAppStatus(): () => void {
  return xen.on('app:status', (s) => {
    useAppStore.setState({ status: s });
    if (s.connection === 'connected' && useAppStore.getState().hostError !== null) void useAppStore.getState().loadHost();
  });
}
