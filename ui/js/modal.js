// Modal dialogs on the native <dialog> element: focus moves in and is kept there, Escape closes, and focus
// returns to the control that opened it. A header (h2 and a Close button), a body and a footer for the actions.

import { h, icon, replaceChildren, uniqueId } from './dom.js';

/**
 * Opens a modal dialog. Returns {dialog, body, footer, close}; close() removes it; onClose runs once then.
 *
 * @param title the header, also the dialog's accessible name
 * @param className extra classes (e.g. "peer-create-modal")
 * @param role "dialog" or "alertdialog" (a confirmation)
 */
export function openModal({ title, className = '', role, onClose }) {
  const titleId = uniqueId('modal-title');
  const body = h('div', { class: 'modal-dialog-body' });
  const footer = h('div', { class: 'modal-dialog-footer' });
  const closeButton = h('button', { type: 'button', class: 'modal-close', 'aria-label': 'Close' }, icon('x'));
  const dialog = h('dialog', { class: `modal ${className}`.trim(), 'aria-labelledby': titleId, role },
    h('header', { class: 'modal-dialog-header' }, h('h2', { id: titleId, text: title }), closeButton),
    body, footer);
  const close = () => {
    if (dialog.open) {
      dialog.close();
    }
  };
  closeButton.addEventListener('click', close);
  dialog.addEventListener('close', () => {
    dialog.remove();
    onClose?.();
  }, { once: true });
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, body, footer, close, setFooter: (...children) => replaceChildren(footer, ...children) };
}
