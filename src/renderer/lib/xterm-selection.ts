import type { Terminal } from '@xterm/xterm';

type SelectionChanged = (start: [number, number] | undefined, end: [number, number] | undefined, columnSelectMode: boolean) => void;

/**
 * xterm.js 6 refreshes the selection after every scroll, and its DOM renderer answers each refresh by rebuilding every
 * row of the viewport a second time in that frame, even when nothing is selected (xtermjs/xterm.js#4633). During a
 * console flood that doubles the cost of each frame. This lets through only the refreshes that can change what is
 * drawn: while a selection exists, and the one that clears it. Returns false (and changes nothing) if this xterm does
 * not have the internals it expects, so an xterm upgrade degrades to xterm's own behaviour, never to a broken one.
 */
export function skipIdleSelectionRedraws(term: Terminal): boolean {
  const service = (term as unknown as { _core?: { _renderService?: { handleSelectionChanged?: SelectionChanged } } })._core?._renderService;
  const original = service?.handleSelectionChanged;
  if (!service || typeof original !== 'function') return false;
  // The first call always goes through, whatever the state the renderer started in.
  let hadSelection = true;
  service.handleSelectionChanged = (start, end, columnSelectMode) => {
    const has = start !== undefined && end !== undefined;
    if (!has && !hadSelection) return;
    hadSelection = has;
    original.call(service, start, end, columnSelectMode);
  };
  return true;
}
