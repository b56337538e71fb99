// Where keyboard focus goes when a dialog closes. Radix returns it only to a Dialog.Trigger; Xenith's dialogs open from
// toolbar buttons, menus and keys through a store, so without this focus fell to document.body and the next Tab
// started again from the top of the page.

/** The element focus was on when a dialog opened, read before the dialog takes focus. */
export function currentFocus(): HTMLElement | null {
  const el = document.activeElement;
  return el instanceof HTMLElement && el !== document.body ? el : null;
}

function focusable(el: HTMLElement): boolean {
  if (!el.isConnected || el.closest('[inert], [aria-hidden="true"]')) return false;
  if ((el instanceof HTMLButtonElement || el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) && el.disabled) return false;
  return el.getClientRects().length > 0;
}

const FALLBACKS = ['[data-testid="domain-grid-body"]', '[data-testid="details-actions"] button:not(:disabled)', '[data-area="main"]'];

/** Focuses the first of `candidates` that can take focus; the element that took it, or null. */
function focusFirst(candidates: readonly (HTMLElement | null)[]): HTMLElement | null {
  for (const el of candidates) {
    if (el === null || !focusable(el)) continue;
    el.focus({ preventScroll: true });
    if (document.activeElement === el) return el;
  }
  return null;
}

/** How long focus is kept from falling to the page after a dialog: the action the dialog started is over by then. */
const WATCH_MS = 120_000;

/**
 * The action a dialog starts often disables its own opener a moment later (Force off greys out once the domain is
 * off), and a browser drops focus from a disabled button to document.body. Until focus moves on, follow the opener:
 * when it is disabled or removed while focused, focus the fallback.
 */
function watchOpener(el: HTMLElement): void {
  const stop = (): void => {
    observer.disconnect();
    clearTimeout(timer);
    el.removeEventListener('focusout', onOut);
  };
  const check = (): void => {
    const lost = !el.isConnected || !focusable(el);
    if (!lost) return;
    stop();
    if (document.activeElement === el || document.activeElement === document.body || document.activeElement === null) focusFirst(FALLBACKS.map((sel) => document.querySelector<HTMLElement>(sel)));
  };
  // Focus moving to another element is the person's choice: stop following. (Disabling blurs with no related target.)
  const onOut = (e: FocusEvent): void => {
    if (e.relatedTarget !== null) stop();
    else queueMicrotask(check);
  };
  const observer = new MutationObserver(check);
  observer.observe(el, { attributes: true, attributeFilter: ['disabled', 'hidden', 'aria-hidden'] });
  if (el.parentElement) observer.observe(el.parentElement, { childList: true });
  el.addEventListener('focusout', onOut);
  const timer = setTimeout(stop, WATCH_MS);
}

/**
 * Focuses the opener when it is still there and can take focus (a button disabled by the action it started cannot),
 * else the nearest sensible place: the domain list, the details' actions, the page's main area. Never document.body.
 */
export function returnFocus(opener: HTMLElement | null): void {
  const got = focusFirst([opener, ...FALLBACKS.map((sel) => document.querySelector<HTMLElement>(sel))]);
  if (got !== null && got === opener) watchOpener(got);
}
