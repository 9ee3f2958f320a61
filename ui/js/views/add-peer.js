// "Add peer connection": the modal with Consul's two tabs. "Generate token" (this cluster accepts: POST
// /v1/peering/token, then the token shown once with "Copy token") and "Establish peering" (this cluster dials:
// POST /v1/peering/establish with a token from the other side). Also "Regenerate token" from the row menu.

import { peerings } from '../api.js';
import { copyButton, errorNotice, h, replaceChildren, toast, uniqueId } from '../dom.js';
import { openModal } from '../modal.js';

/** Consul's UI rule for a peer's name, as its help text states it. */
const PEER_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,63}$/;
const NAME_HELP = 'Must be a valid DNS hostname. Must contain 1-64 characters (numbers, letters, and hyphens), '
  + 'and must begin with a letter. Once created, this cannot be changed.';
const NAME_ERROR = 'Name must be a valid DNS hostname.';

/**
 * Opens "Add peer connection". onEstablished(name) runs after a successful establish (the list then shows the
 * new peer's page).
 */
export function openAddPeer(ctx, { onEstablished }) {
  const modal = openModal({ title: 'Add peer connection', className: 'peer-create-modal' });
  const tabs = [
    { label: 'Generate token', panel: generatePanel(modal) },
    { label: 'Establish peering', panel: establishPanel(ctx, modal, onEstablished) },
  ];
  const tablist = h('div', { role: 'tablist', class: 'tab-nav', 'aria-label': 'Add peer connection' });
  tabs.forEach((tab, i) => {
    const tabId = uniqueId('tab');
    const panelId = uniqueId('tabpanel');
    tab.button = h('button', { type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, text: tab.label });
    tab.button.addEventListener('click', () => select(i));
    tab.element = h('div', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId }, tab.panel.element);
    tablist.append(tab.button);
  });
  tablist.addEventListener('keydown', (event) => {
    const at = tabs.findIndex((t) => t.button === document.activeElement);
    if (at >= 0 && (event.key === 'ArrowRight' || event.key === 'ArrowLeft')) {
      event.preventDefault();
      const next = (at + (event.key === 'ArrowRight' ? 1 : -1) + tabs.length) % tabs.length;
      select(next);
      tabs[next].button.focus();
    }
  });
  replaceChildren(modal.body, tablist, tabs.map((t) => t.element));

  function select(index) {
    tabs.forEach((tab, i) => {
      tab.button.setAttribute('aria-selected', String(i === index));
      tab.button.tabIndex = i === index ? 0 : -1;
      tab.element.hidden = i !== index;
    });
    tabs[index].panel.showActions();
  }
  select(0);
  tabs[0].panel.focus();
}

/**
 * Opens "Regenerate token" for a peering this cluster generated the token of: generates a new token at once
 * (the previous one stops working) and shows it once.
 */
export function openRegenerate(ctx, peer) {
  const modal = openModal({ title: 'Regenerate token', className: 'peer-regenerate-modal' });
  const close = h('button', { type: 'button', class: 'button secondary', onclick: modal.close }, 'Close');
  replaceChildren(modal.body, h('p', { class: 'loading', text: 'Generating a new token…' }));
  modal.setFooter(close);
  peerings.generateToken({ PeerName: peer.Name }).then(({ data }) => {
    replaceChildren(modal.body, tokenSteps(data.PeeringToken, true));
    modal.setFooter(copyButton(data.PeeringToken, 'Copy token', { className: 'button primary' }), close);
  }, (error) => {
    replaceChildren(modal.body, errorNotice(error.message));
  });
}

/** The "Generate token" tab: Name of peer and Server address(es), then the token view. */
function generatePanel(modal) {
  const formId = uniqueId('generate-form');
  const name = field({ label: 'Name of peer', name: 'Name', help: NAME_HELP, required: true });
  const addresses = field({
    label: 'Server address(es)',
    name: 'ServerExternalAddresses',
    help: "Enter a comma separated list of this peer's fallback server address(es) to be used in the event of "
      + 'failed automatic updates. This field is required for HCP-managed clusters.',
  });
  const problem = h('div', { class: 'problem' });
  const form = h('form', { id: formId, class: 'consul-peer-form-generate', novalidate: true }, problem, name.element, addresses.element);
  const element = h('div', {}, form);
  const submit = h('button', { type: 'submit', form: formId, class: 'button primary', disabled: true }, 'Generate token');
  const cancel = h('button', { type: 'button', class: 'button secondary', onclick: modal.close }, 'Cancel');
  let token = null;

  const validate = () => {
    const value = name.input.value;
    name.setError(value && !PEER_NAME.test(value) ? NAME_ERROR : '');
    submit.disabled = !value || !PEER_NAME.test(value);
  };
  name.input.addEventListener('input', validate);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    validate();
    if (submit.disabled) {
      return;
    }
    submit.disabled = true;
    replaceChildren(problem);
    try {
      const { data } = await peerings.generateToken({
        PeerName: name.input.value,
        ServerExternalAddresses: addresses.input.value.split(',').map((a) => a.trim()).filter(Boolean),
      });
      token = data.PeeringToken;
      showToken();
    } catch (error) {
      replaceChildren(problem, errorNotice(error.message));
      submit.disabled = false;
    }
  });

  function showToken() {
    const again = h('button', { type: 'reset', class: 'button tertiary' }, 'Generate another token');
    again.addEventListener('click', () => {
      token = null;
      name.input.value = '';
      addresses.input.value = '';
      validate();
      replaceChildren(element, form);
      showActions();
      name.input.focus();
    });
    replaceChildren(element, tokenSteps(token, false), again);
    showActions();
    element.querySelector('code').focus();
  }

  function showActions() {
    if (token) {
      modal.setFooter(copyButton(token, 'Copy token', { className: 'button primary' }),
        h('button', { type: 'button', class: 'button secondary', onclick: modal.close }, 'Close'));
    } else {
      modal.setFooter(submit, cancel);
    }
  }

  return { element, showActions, focus: () => name.input.focus() };
}

/** The "Establish peering" tab: Name of peer and Token; on success a toast and the new peer's page. */
function establishPanel(ctx, modal, onEstablished) {
  const formId = uniqueId('establish-form');
  const name = field({ label: 'Name of peer', name: 'Name', help: 'Enter a name to locally identify the new peer.', required: true });
  const token = field({
    label: 'Token',
    name: 'Token',
    help: 'Enter the token received from the operator of the desired peer.',
    required: true,
    multiline: true,
  });
  const problem = h('div', { class: 'problem' });
  const form = h('form', { id: formId, class: 'consul-peer-form-initiate', novalidate: true },
    h('p', { text: 'Enter a token generated in the desired peer.' }), problem, name.element, token.element);
  const submit = h('button', { type: 'submit', form: formId, class: 'button primary', disabled: true }, 'Add peer');
  const cancel = h('button', { type: 'button', class: 'button secondary', onclick: modal.close }, 'Cancel');

  const validate = () => {
    const value = name.input.value;
    name.setError(value && !PEER_NAME.test(value) ? NAME_ERROR : '');
    submit.disabled = !PEER_NAME.test(value) || !token.input.value.trim();
  };
  name.input.addEventListener('input', validate);
  token.input.addEventListener('input', validate);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    validate();
    if (submit.disabled) {
      return;
    }
    submit.disabled = true;
    replaceChildren(problem);
    const peerName = name.input.value;
    try {
      await peerings.establish({ PeerName: peerName, PeeringToken: token.input.value.trim() });
      modal.close();
      toast({ title: 'Success!', text: `Your Peer ${peerName} has been added.` });
      onEstablished(peerName);
    } catch (error) {
      replaceChildren(problem, errorNotice(error.message));
      submit.disabled = false;
    }
  });

  return {
    element: form,
    showActions: () => modal.setFooter(submit, cancel),
    focus: () => name.input.focus(),
  };
}

/** The token view: Consul's three steps, the token in a code block. */
function tokenSteps(token, regenerated) {
  return h('div', { class: 'consul-peer-form-token' },
    h('p', { class: 'token-intro', text: `Token ${regenerated ? 'regenerated' : 'generated'}! Here’s what’s next:` }),
    h('ol', {},
      h('li', {}, h('strong', { text: 'Copy the token' }), ' This token cannot be viewed again after creation.',
        h('code', { class: 'peering-token', tabindex: '0', 'aria-label': 'Peering token', dataset: { testPeeringToken: '' }, text: token })),
      h('li', {}, h('strong', { text: 'Switch to the peer' }), ' Someone on your team should log into the Datacenter (OSS) or '
        + 'Admin Partition (Enterprise) that you want this one to connect with.'),
      h('li', {}, h('strong', { text: 'Initiate the peering' }), ' From there, initiate a new peering, name it, and paste this token in.')));
}

/** A labelled text field with its help text and an inline error, all tied to the input for assistive technology. */
function field({ label, name, help, required = false, multiline = false }) {
  const id = uniqueId(`field-${name}`);
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const input = multiline
    ? h('textarea', { id, name, rows: '6', required, 'aria-describedby': helpId, spellcheck: 'false' })
    : h('input', { id, name, type: 'text', required, 'aria-describedby': helpId, autocomplete: 'off', spellcheck: 'false' });
  const error = h('strong', { id: errorId, class: 'field-error', role: 'alert', hidden: true });
  const element = h('div', { class: 'field' },
    h('label', { for: id }, label, required ? null : h('span', { class: 'optional', text: ' (optional)' })),
    input, error, h('p', { id: helpId, class: 'help', text: help }));
  return {
    element,
    input,
    setError(message) {
      error.textContent = message;
      error.hidden = !message;
      input.setAttribute('aria-invalid', String(Boolean(message)));
      input.setAttribute('aria-describedby', message ? `${errorId} ${helpId}` : helpId);
    },
  };
}
