import { describe, expect, it } from 'vitest';
import { statusWords } from '../../../../src/renderer/lib/status-words';
import type { ToolstackStatus } from '../../../../src/shared/dto';

const base: ToolstackStatus = { kind: 'ssh', label: 'root@dom0 over SSH', connection: 'connected', healthy: true, message: 'ok' };

describe('statusWords: the status bar tells the truth about the connection', () => {
  it('says a host that does not answer is unreachable and that Xenith retries, never "Connected"', () => {
    const w = statusWords({ ...base, connection: 'unreachable', healthy: false, message: 'Lost the connection to root@dom0: Timeout, server dom0 not responding. — retrying' });
    expect(w).toEqual({ text: 'Cannot reach root@dom0 over SSH — Xenith is retrying', dot: 'bad' });
  });
  it('is green "Connected" only while the host answers, and names a failure on a host that answered', () => {
    expect(statusWords(base)).toEqual({ text: 'Connected to root@dom0 over SSH', dot: 'ok' });
    expect(statusWords({ ...base, healthy: false, message: 'host: libxl: error' })).toEqual({ text: 'Connected to root@dom0 over SSH — host: libxl: error', dot: 'bad' });
  });
  it('says it is connecting before the host first answered', () => {
    expect(statusWords(null)).toEqual({ text: 'Connecting…', dot: 'wait' });
    expect(statusWords({ ...base, connection: 'connecting', message: 'connecting' })).toEqual({ text: 'Connecting to root@dom0 over SSH…', dot: 'wait' });
  });
});
