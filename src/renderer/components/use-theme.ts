import { useEffect } from 'react';
import { useAppStore } from '../store/app-store';

/** Applies the theme to <html data-theme>, following the system unless the user chose one. */
export function useTheme(): void {
  const choice = useAppStore((s) => s.theme);
  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const apply = () => {
      const dark = choice === 'dark' || (choice === 'system' && mq.matches);
      document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
    };
    apply();
    mq.addEventListener('change', apply);
    return () => mq.removeEventListener('change', apply);
  }, [choice]);
}
