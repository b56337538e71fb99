import { useCallback, useEffect, useRef, useState } from 'react';
import type { DomainConfigView, DomainDetails } from '../../shared/contract-types';
import { xen } from '../api/client';
import { errorInfo, type ErrorInfo } from './errors';

/** A domain's details and config file, refetched whenever main says domains changed. */
export interface DomainData {
  details: DomainDetails | null;
  config: DomainConfigView | null;
  /** Why the config could not be read (dom0 has none). */
  configError: ErrorInfo | null;
  error: ErrorInfo | null;
  reload: () => Promise<void>;
}

/**
 * Loads domain `name`'s details and config. Reloads when a change names this domain (domains:changed carries the
 * names it touched, or null when any may have changed) or when `summaryKey` changes (its state, domid or sizes in the
 * list), not on every list change: with many domains the list changes nearly every tick, and details cost several xl
 * calls.
 */
export function useDomainData(name: string, summaryKey = ''): DomainData {
  const [details, setDetails] = useState<DomainDetails | null>(null);
  const [config, setConfig] = useState<DomainConfigView | null>(null);
  const [configError, setConfigError] = useState<ErrorInfo | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const gen = useRef(0);
  const reload = useCallback(async () => {
    const my = ++gen.current;
    const [d, c] = await Promise.allSettled([xen.domain.details({ name }), xen.domain.configGet({ name })]);
    if (my !== gen.current) return;
    if (d.status === 'fulfilled') {
      setDetails(d.value);
      setError(null);
    } else setError(errorInfo(d.reason));
    if (c.status === 'fulfilled') {
      setConfig(c.value);
      setConfigError(null);
    } else {
      setConfig(null);
      setConfigError(errorInfo(c.reason));
    }
  }, [name]);
  // What was loaded belongs to `loadedFor`; until the new name's answers arrive, nothing of the old domain is shown.
  const [loadedFor, setLoadedFor] = useState(name);
  if (loadedFor !== name) {
    setLoadedFor(name);
    setDetails(null);
    setConfig(null);
    setConfigError(null);
    setError(null);
  }
  useEffect(() => {
    void reload();
  }, [reload, summaryKey]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = xen.on('domains:changed', ({ names }) => {
      // names null: any domain may have changed (a change outside the app, the wizard).
      if (names !== null && !names.includes(name)) return;
      // Bursts (bulk actions) become one reload.
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void reload(), 150);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [reload, name]);
  return { details, config, configError, error, reload };
}

/** State of one edit form: running, its error, and what it did. */
export interface EditState {
  busy: boolean;
  error: ErrorInfo | null;
  done: string | null;
  /** Runs `op`; on success shows `doneText`, on failure the error beside the form. */
  run: (op: () => Promise<unknown>, doneText: string) => Promise<boolean>;
  clear: () => void;
}

/** One edit's progress and outcome. */
export function useEdit(): EditState {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = useCallback(async (op: () => Promise<unknown>, doneText: string) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await op();
      setDone(doneText);
      return true;
    } catch (e) {
      setError(errorInfo(e));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => {
    setError(null);
    setDone(null);
  }, []);
  return { busy, error, done, run, clear };
}
