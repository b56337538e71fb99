import * as Dialog from '@radix-ui/react-dialog';
import { useRef, type ReactNode } from 'react';
import { currentFocus, returnFocus } from '../lib/focus-return';

/**
 * What had focus when `open` became true. Read while rendering, before the dialog's content (or an autoFocus button in
 * it) takes focus: no Dialog.Trigger opens Xenith's dialogs, so Radix itself knows no opener to return to.
 */
function useOpener(open: boolean): { readonly current: HTMLElement | null } {
  const opener = useRef<HTMLElement | null>(null);
  const wasOpen = useRef(false);
  if (open && !wasOpen.current) opener.current = currentFocus();
  wasOpen.current = open;
  return opener;
}

/** A modal dialog (Radix: focus trapped, Escape closes); focus returns to whatever had it when the dialog opened. */
export function Modal({
  open,
  onOpenChange,
  title,
  description,
  children,
  testId,
  wide,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  testId: string;
  wide?: boolean;
}) {
  const opener = useOpener(open);
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="modal-overlay" />
        <Dialog.Content
          className={`modal${wide ? ' wide' : ''}`}
          data-testid={testId}
          aria-describedby={description ? undefined : undefined}
          onCloseAutoFocus={(e) => {
            e.preventDefault();
            returnFocus(opener.current);
          }}
        >
          <Dialog.Title className="modal-title">{title}</Dialog.Title>
          {description ? <Dialog.Description className="modal-desc">{description}</Dialog.Description> : <Dialog.Description className="sr-only">{title}</Dialog.Description>}
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** Asks before a destructive action; the safe choice has focus first. */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  onConfirm,
  testId = 'confirm-dialog',
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  testId?: string;
}) {
  return (
    <Modal open={open} onOpenChange={onOpenChange} title={title} description={description} testId={testId}>
      <div className="modal-actions">
        <Dialog.Close asChild>
          <button type="button" className="btn" data-testid={`${testId}-cancel`} autoFocus>
            Cancel
          </button>
        </Dialog.Close>
        <button
          type="button"
          className="btn danger-solid"
          data-testid={`${testId}-confirm`}
          onClick={() => {
            onOpenChange(false);
            onConfirm();
          }}
        >
          {confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
