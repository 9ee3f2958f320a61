// Consul's "Log in" with an ACL token: the token is checked with GET /v1/acl/token/self (as Consul's UI checks
// it; an unknown SecretID is a 404 "Supplied token does not exist", a 403 "ACL not found" on older Consul), then kept in the browser's local storage and sent as X-Consul-Token on every call. Also Consul's page-level
// error (AppError), whose 403 form is the login prompt.

import { acl, aclToken } from '../api.js';
import { emptyState, h, replaceChildren, uniqueId } from '../dom.js';
import { openModal } from '../modal.js';
import { pagePath } from '../paths.js';

/** Opens the login dialog; onLoggedIn runs once a token was accepted and stored. */
export function openLogin({ onLoggedIn }) {
  const modal = openModal({ title: 'Log in', className: 'login-modal' });
  const id = uniqueId('secret');
  const input = h('input', { id, name: 'auth[SecretID]', type: 'password', placeholder: 'SecretID', autocomplete: 'off' });
  const problem = h('div', { class: 'problem' });
  const missing = h('strong', { class: 'field-error', role: 'alert', hidden: true, text: 'Please enter your secret' });
  const submit = h('button', { type: 'submit', class: 'button primary' }, 'Log in');
  const form = h('form', { class: 'auth-form', novalidate: true }, problem,
    h('div', { class: 'field' }, h('label', { for: id, text: 'Log in with a token' }), input, missing),
    submit);
  replaceChildren(modal.body, form, h('p', {}, h('em', { text: 'Contact your administrator for login credentials.' })));
  input.focus();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replaceChildren(problem);
    const secret = input.value.trim();
    missing.hidden = Boolean(secret);
    if (!secret) {
      input.focus();
      return;
    }
    submit.disabled = true;
    try {
      await acl.tokenReadSelf(secret);
      aclToken.set(secret);
      modal.close();
      onLoggedIn();
    } catch (error) {
      // 404 "Supplied token does not exist" (Consul 1.15+ and this server), 403 "ACL not found" (older Consul).
      const invalid = error.status === 403 || (error.status === 404 && /token does not exist|ACL not found/.test(error.message));
      replaceChildren(problem, h('div', { class: 'notice critical', role: 'alert' },
        h('strong', { text: invalid ? 'Invalid token' : 'Error' }),
        h('p', { text: invalid ? 'The token entered does not exist. Please enter a valid token to log in.' : error.message })));
      submit.disabled = false;
      input.focus();
    }
  });
}

/**
 * Consul's page-level error (AppError): "Error {status}"; for a 403 the login prompt ("You are not authorized",
 * with a "Log in" button); otherwise the server's message.
 */
export function renderPageError(main, error, { openLogin: login }) {
  const status = error.status || '';
  if (status === 403) {
    replaceChildren(main,
      h('div', { class: 'page-header' }, h('h1', { text: `Error ${status}` })),
      emptyState({
        header: 'You are not authorized',
        body: h('div', {}, h('h3', { text: `Error ${status}` }),
          h('p', { text: 'You must be granted permissions to view this data. Ask your administrator if you think you should have access.' })),
        actions: [
          h('button', { type: 'button', class: 'button primary', dataset: { testEmptyStateLogin: '' }, onclick: login }, 'Log in'),
          h('a', { href: 'https://developer.hashicorp.com/consul/docs/security/acl', rel: 'noopener noreferrer', target: '_blank', text: 'Read the documentation' }),
        ],
        testId: 'testStatus403',
      }));
    return;
  }
  replaceChildren(main,
    h('div', { class: 'page-header' }, h('h1', { text: status ? `Error ${status}` : 'Error' })),
    emptyState({
      header: error.message || 'Consul returned an error',
      body: h('div', {}, status ? h('h3', { text: `Error ${status}` }) : null,
        h('p', { text: 'You may have visited a URL that is loading an unknown resource, so you can try going back to the root or try re-submitting your ACL Token/SecretID by going back to ACLs.' })),
      actions: [h('a', { href: pagePath(), text: 'Go back' })],
    }));
}
