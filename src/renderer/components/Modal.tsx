import * as Dialog from '@radix-ui/react-dialog';
import type { ReactNode } from 'react';

/** A modal dialog (Radix: focus trapped, Escape closes, focus returns to the opener). */
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
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="modal-overlay" />
        <Dialog.Content className={`modal${wide ? ' wide' : ''}`} data-testid={testId} aria-describedby={description ? undefined : undefined}>
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
