import type { XenApi } from '../../xen/index';

/** States in which `xl console` can attach (a paused domain still has its console). */
const ATTACHABLE = new Set(['running', 'blocked', 'paused']);

/** The domid of a domain whose console can be opened now, or null (stopped, shutting down, crashed, unknown). */
export async function findConsoleDomid(api: Pick<XenApi, 'listDomainsCheap'>, name: string): Promise<number | null> {
  const list = await api.listDomainsCheap();
  const d = list.find((x) => x.name === name);
  return d && d.domid !== null && !d.isDom0 && ATTACHABLE.has(d.state) ? d.domid : null;
}
