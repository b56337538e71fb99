import { useState } from 'react';
import { TextConsole } from './TextConsole';
import { VncConsole } from './VncConsole';
import { detachConsole } from './detach';
import './console.css';

/** Which text console: xl's default, the PV console or the emulated serial port, and its number. */
type TextChoice = { type: 'default' | 'pv' | 'serial'; index: number };

/**
 * A domain's console, for the domain view's Console tab and the detached console page: the text console (with a
 * choice of console type and number) or the graphical one. `detachable` adds the button that opens it on its own.
 */
export function ConsolePanel({ name, kind, detachable = true }: { name: string; kind: 'text' | 'vnc'; detachable?: boolean }) {
  const [choice, setChoice] = useState<TextChoice>({ type: 'default', index: 0 });
  const onDetach = detachable ? () => detachConsole(name, kind) : undefined;
  if (kind === 'vnc') return <VncConsole key={name} name={name} {...(onDetach ? { onDetach } : {})} />;
  return (
    <div className="console-panel" data-testid="console-panel">
      <div className="console-choice" role="group" aria-label="Which console">
        <label className="console-select">
          Console
          <select data-testid="console-type" value={choice.type} onChange={(e) => setChoice((c) => ({ ...c, type: e.target.value as TextChoice['type'] }))}>
            <option value="default">Default</option>
            <option value="pv">PV (hvc)</option>
            <option value="serial">Serial (ttyS)</option>
          </select>
        </label>
        <label className="console-select">
          Number
          <select data-testid="console-index" value={choice.index} onChange={(e) => setChoice((c) => ({ ...c, index: Number(e.target.value) }))}>
            {[0, 1, 2, 3].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      <TextConsole
        key={`${name}/${choice.type}/${choice.index}`}
        name={name}
        {...(choice.type !== 'default' ? { type: choice.type } : {})}
        {...(choice.index !== 0 ? { index: choice.index } : {})}
        {...(onDetach ? { onDetach } : {})}
      />
    </div>
  );
}
