import { describe, expect, it } from 'vitest';
import type { Terminal } from '@xterm/xterm';
import { skipIdleSelectionRedraws } from '../../../../src/renderer/lib/xterm-selection';

type Pos = [number, number] | undefined;

/** A terminal with just the internal render service the workaround wraps; it records what reaches the renderer. */
function fakeTerm() {
  const calls: [Pos, Pos, boolean][] = [];
  const service = {
    handleSelectionChanged(start: Pos, end: Pos, col: boolean) {
      // `this` must still be the service after wrapping.
      expect(this).toBe(service);
      calls.push([start, end, col]);
    },
  };
  return { term: { _core: { _renderService: service } } as unknown as Terminal, calls };
}

describe('skipIdleSelectionRedraws', () => {
  it('lets through the first refresh, every refresh while text is selected, and the one that clears it', () => {
    const { term, calls } = fakeTerm();
    expect(skipIdleSelectionRedraws(term)).toBe(true);
    const svc = (term as unknown as { _core: { _renderService: { handleSelectionChanged: (s: Pos, e: Pos, c: boolean) => void } } })._core._renderService;
    svc.handleSelectionChanged(undefined, undefined, false);
    // Scrolling with nothing selected: xterm would redraw the whole viewport for each of these.
    for (let i = 0; i < 100; i++) svc.handleSelectionChanged(undefined, undefined, false);
    svc.handleSelectionChanged([0, 1], [5, 1], false);
    svc.handleSelectionChanged([0, 0], [5, 0], false);
    svc.handleSelectionChanged(undefined, undefined, false);
    svc.handleSelectionChanged(undefined, undefined, false);
    svc.handleSelectionChanged([1, 2], undefined, true);
    expect(calls).toEqual([
      [undefined, undefined, false],
      [[0, 1], [5, 1], false],
      [[0, 0], [5, 0], false],
      [undefined, undefined, false],
    ]);
  });

  it('changes nothing on a terminal without the internals it expects', () => {
    expect(skipIdleSelectionRedraws({} as Terminal)).toBe(false);
    expect(skipIdleSelectionRedraws({ _core: {} } as unknown as Terminal)).toBe(false);
  });
});
