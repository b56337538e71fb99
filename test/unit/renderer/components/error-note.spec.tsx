import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { XenithError } from '../../../../src/shared/ipc-errors';
import { ErrorNote } from '../../../../src/renderer/components/ErrorNote';
import { errorInfo } from '../../../../src/renderer/lib/errors';

/** The note's visible lines: what it leads with, and xl's line beneath (null when there is none). */
function lines(e: XenithError): { lead: string; said: string | null } {
  const html = renderToStaticMarkup(<ErrorNote error={errorInfo(e)} testId="n" />);
  const text = (id: string): string | null => {
    const m = html.match(new RegExp(`data-testid="${id}">([^<]*)<`));
    return m ? (m[1] ?? '').replace(/&#x27;/g, "'").replace(/&quot;/g, '"') : null;
  };
  return { lead: text('n-words') ?? '', said: text('n-said') };
}

describe('ErrorNote', () => {
  it('leads with the cause in words and puts xl\'s own line beneath', () => {
    const stderr = 'Failed to open temp file /var/lib/xen/save/a.save for writing\n';
    const e = new XenithError('XL_FAILED', 'Failed to open temp file /var/lib/xen/save/a.save for writing', {
      stderr,
      cause: '/var/lib/xen/save/a.save could not be created: its folder does not exist or cannot be written',
    });
    expect(lines(e)).toEqual({
      lead: '/var/lib/xen/save/a.save could not be created: its folder does not exist or cannot be written',
      said: 'xl: Failed to open temp file /var/lib/xen/save/a.save for writing',
    });
  });

  it('leads with xl\'s own line, not "Xen refused the operation", when no cause is known', () => {
    const e = new XenithError('XL_FAILED', 'Domain with name "a" already exists.', { stderr: 'Parsing config from /etc/xen/a.cfg\nDomain with name "a" already exists.\n' });
    expect(lines(e)).toEqual({ lead: 'Domain with name "a" already exists.', said: null });
  });

  it('shows Xenith\'s own refusal in full, and the generic words only when there is nothing better', () => {
    expect(lines(new XenithError('NOT_FOUND', 'The folder /srv/x does not exist', { field: 'file' }))).toEqual({ lead: 'The folder /srv/x does not exist', said: null });
    expect(lines(new XenithError('TIMEOUT', '', {}))).toEqual({ lead: 'The operation took too long and was stopped.', said: null });
    const perm = new XenithError('PERMISSION', 'cannot open libxc handle: Permission denied', { stderr: 'cannot open libxc handle: Permission denied\n' });
    expect(lines(perm)).toEqual({ lead: 'Xenith lacks the privilege to do this (xl needs root).', said: 'xl: cannot open libxc handle: Permission denied' });
  });
});
