import { useRef } from 'react';
import { createRoot } from 'react-dom/client';
import { useVirtualizer } from '@tanstack/react-virtual';

/**
 * The list bench's limit: the same virtualiser (row height, overscan) over the same number of rows in a scroller of
 * the same size, with the same cells but nothing in them and no stats arriving. What scrolling costs by itself.
 */
const ROW_H = 34;
const CELLS = 10;

function EmptyList({ count }: { count: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count, getScrollElement: () => ref.current, estimateSize: () => ROW_H, overscan: 6 });
  return (
    <div ref={ref} data-testid="domain-grid-body" style={{ position: 'absolute', inset: '120px 0 30px 220px', overflow: 'auto' }}>
      <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
        {virt.getVirtualItems().map((v) => (
          <div key={v.key} role="row" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${v.start}px)`, display: 'flex' }}>
            {Array.from({ length: CELLS }, (_, i) => (
              <span key={i} role="gridcell" style={{ flex: 1 }} />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}

const count = Number(new URLSearchParams(location.search).get('rows') ?? '501');
createRoot(document.getElementById('root')!).render(<EmptyList count={count} />);
