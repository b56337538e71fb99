/** Facts about the frame that sent an IPC message. */
export interface SenderFacts {
  webContentsId: number;
  /** URL of the sending frame. */
  frameUrl: string;
  /** True when the sender is the top frame of its page (not an iframe). */
  isTopFrame: boolean;
}

/** What the gateway trusts: our own windows, serving our own origin. */
export interface TrustedSenders {
  webContentsIds: ReadonlySet<number>;
  /** e.g. "app://xenith" */
  origin: string;
}

/** The scheme://host part of a URL, also for custom schemes whose WHATWG origin is "null". */
export function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '';
  }
}

/** Checks an IPC sender (Electron security checklist: validate the sender of all IPC messages). */
export function checkSender(facts: SenderFacts, trusted: TrustedSenders): { ok: true } | { ok: false; reason: string } {
  if (!trusted.webContentsIds.has(facts.webContentsId)) return { ok: false, reason: 'not one of our windows' };
  if (!facts.isTopFrame) return { ok: false, reason: 'not the top frame' };
  if (originOf(facts.frameUrl) !== trusted.origin) return { ok: false, reason: `foreign origin ${originOf(facts.frameUrl) || '(none)'}` };
  return { ok: true };
}
