// Delete from the row menu: Consul's "Confirm delete" and, once DELETE /v1/peering/{name} answers, the success
// toast "Your Peer has been marked for deletion." (a critical toast when it fails).

import { peerings } from '../api.js';
import { h, replaceChildren, toast } from '../dom.js';
import { openModal } from '../modal.js';

/** Asks, then deletes; onDeleted runs after the server accepted the delete. */
export function confirmDelete(ctx, peer, { onDeleted } = {}) {
  const modal = openModal({ title: 'Confirm delete', className: 'confirmation warning', role: 'alertdialog' });
  const cancel = h('button', { type: 'button', class: 'button secondary', onclick: modal.close }, 'Cancel');
  const confirm = h('button', { type: 'button', class: 'button dangerous' }, 'Delete');
  replaceChildren(modal.body, h('p', { text: 'Are you sure you want to delete this peer?' }));
  modal.setFooter(confirm, cancel);
  cancel.focus();
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    try {
      await peerings.delete(peer.Name);
      modal.close();
      toast({ title: 'Success!', text: 'Your Peer has been marked for deletion.' });
      onDeleted?.();
    } catch (error) {
      modal.close();
      toast({ color: 'critical', title: 'Error!', text: `There was an error deleting your Peer: ${error.message}` });
      if (error.isAclDenial) {
        ctx.openLogin();
      }
    }
  });
}
