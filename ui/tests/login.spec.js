// Consul's login prompt and "Log in" with a token, against a real cluster with ACLs on and default deny (the way a
// deployed stack runs), bootstrapped here with PUT /v1/acl/bootstrap. Nothing is faked: every answer the page gets
// is the cluster's own. A 403 shows "You are not authorized" with Log in; the token is checked with
// GET /v1/acl/token/self (404 "Supplied token does not exist" for an unknown one), kept in local storage and sent as
// X-Consul-Token; a token's own permissions decide what works after that.

import { expect, test } from '@playwright/test';
import { aclDc1, api, peerRow, screenshot } from './support.js';

test.describe.configure({ mode: 'serial' });

const READ_ONLY_RULES = [
  'peering = "read"',
  'mesh = "read"',
  'service_prefix "" { policy = "read" }',
  'node_prefix "" { policy = "read" }',
  'agent_prefix "" { policy = "read" }',
].join('\n');

let management;

test.beforeAll(async () => {
  const bootstrap = await api(aclDc1, 'PUT', '/v1/acl/bootstrap');
  expect(bootstrap.status, JSON.stringify(bootstrap.body)).toBe(200);
  management = bootstrap.body.SecretID;
});

/** Opens the login dialog from the page's 403 prompt. */
async function openLoginFromPrompt(page) {
  await page.locator('main').getByRole('button', { name: 'Log in' }).click();
  return page.getByRole('dialog', { name: 'Log in' });
}

test('with ACLs on: the 403 prompt, an empty and an unknown token refused, the bootstrap token logs in and generates, Log out', async ({ page }, testInfo) => {
  const tokensSent = [];
  page.on('request', async (request) => {
    if (new URL(request.url()).pathname === '/v1/peerings') {
      tokensSent.push((await request.allHeaders())['x-consul-token']);
    }
  });

  await page.goto(`${aclDc1}/ui/`);
  await expect(page.getByRole('heading', { level: 1, name: 'Error 403' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'You are not authorized' })).toBeVisible();
  await expect(page.getByText('You must be granted permissions to view this data. Ask your administrator if you think you should have access.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log out' }), 'nobody is logged in').toBeHidden();

  const dialog = await openLoginFromPrompt(page);
  await expect(dialog.getByLabel('Log in with a token')).toBeFocused();
  await expect(dialog.getByText('Contact your administrator for login credentials.')).toBeVisible();
  await screenshot(page, testInfo, 'login-prompt');
  await dialog.getByRole('button', { name: 'Log in' }).click();
  await expect(dialog.getByText('Please enter your secret')).toBeVisible();

  const refused = page.waitForResponse((r) => r.url().endsWith('/v1/acl/token/self'));
  await dialog.getByLabel('Log in with a token').fill('nope');
  await dialog.getByRole('button', { name: 'Log in' }).click();
  const answer = await refused;
  expect(answer.status(), 'the server\'s own answer for an unknown SecretID').toBe(404);
  expect(await answer.text()).toBe('Supplied token does not exist');
  await expect(dialog.getByRole('alert').filter({ hasText: 'Invalid token' }))
    .toContainText('The token entered does not exist. Please enter a valid token to log in.');
  expect(await page.evaluate(() => localStorage.length), 'a refused token is not kept').toBe(0);

  await dialog.getByLabel('Log in with a token').fill(management);
  await dialog.getByRole('button', { name: 'Log in' }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(`${aclDc1}/ui/dc1/peers`);
  await expect(page.getByRole('heading', { level: 1, name: 'Peers' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Welcome to Peers' })).toBeVisible();
  expect(await page.evaluate(() => Object.values(localStorage))).toEqual([management]);
  expect(tokensSent.at(-1), 'the list was read with the token').toBe(management);
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log in' }), 'no login while logged in').toBeHidden();

  await page.getByRole('button', { name: 'Add peer connection' }).click();
  const add = page.getByRole('dialog', { name: 'Add peer connection' });
  await add.getByRole('tabpanel').getByLabel('Name of peer').fill('cluster-02');
  await add.getByRole('button', { name: 'Generate token' }).click();
  await expect(add.getByText('Token generated! Here’s what’s next:')).toBeVisible();
  expect((await add.locator('[data-test-peering-token]').innerText()).split('.')).toHaveLength(3);
  await add.locator('.modal-dialog-footer').getByRole('button', { name: 'Close' }).click();
  await expect(peerRow(page, 'cluster-02')).toContainText('Pending');
  expect((await api(aclDc1, 'GET', '/v1/peering/cluster-02', undefined, { token: management })).body.State).toBe('PENDING');

  await page.reload();
  await expect(peerRow(page, 'cluster-02'), 'the token outlives a reload').toBeVisible();

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'You are not authorized' })).toBeVisible();
  await expect(page.locator('main').getByRole('button', { name: 'Log in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeHidden();
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  expect(tokensSent.at(-1), 'no token once logged out').toBeUndefined();
});

test('a read-only token sees the list, but generating shows Consul\'s peering:write refusal inline', async ({ page }) => {
  const policy = await api(aclDc1, 'PUT', '/v1/acl/policy', { Name: 'read-only', Rules: READ_ONLY_RULES }, { token: management });
  expect(policy.status, JSON.stringify(policy.body)).toBe(200);
  const observer = await api(aclDc1, 'PUT', '/v1/acl/token',
    { Description: 'observer', Policies: [{ Name: 'read-only' }] }, { token: management });
  expect(observer.status, JSON.stringify(observer.body)).toBe(200);

  await page.goto(`${aclDc1}/ui/dc1/peers`);
  const dialog = await openLoginFromPrompt(page);
  await dialog.getByLabel('Log in with a token').fill(observer.body.SecretID);
  await dialog.getByRole('button', { name: 'Log in' }).click();
  await expect(dialog).toBeHidden();
  await expect(peerRow(page, 'cluster-02')).toContainText('Pending');

  await page.getByRole('button', { name: 'Add peer connection' }).click();
  const add = page.getByRole('dialog', { name: 'Add peer connection' });
  const panel = add.getByRole('tabpanel');
  await panel.getByLabel('Name of peer').fill('cluster-03');
  const refused = page.waitForResponse((r) => r.url().endsWith('/v1/peering/token'));
  await add.getByRole('button', { name: 'Generate token' }).click();
  expect((await refused).status()).toBe(403);
  const alert = panel.getByRole('alert');
  await expect(alert).toContainText('Error');
  await expect(alert).toContainText(
    `Permission denied: token with AccessorID '${observer.body.AccessorID}' lacks permission 'peering:write'`);
  await expect(add, 'the dialog stays open').toBeVisible();
  expect((await api(aclDc1, 'GET', '/v1/peering/cluster-03', undefined, { token: management })).status,
    'nothing was written').toBe(404);
});

test('a token without agent:read (a peering operator\'s) gets the list at an address naming the datacenter', async ({ page }) => {
  const policy = await api(aclDc1, 'PUT', '/v1/acl/policy',
    { Name: 'peering-operator', Rules: 'peering = "write"\nmesh = "write"\noperator = "read"' }, { token: management });
  expect(policy.status, JSON.stringify(policy.body)).toBe(200);
  const operator = await api(aclDc1, 'PUT', '/v1/acl/token',
    { Description: 'peering operator', Policies: [{ Name: 'peering-operator' }] }, { token: management });
  expect(operator.status, JSON.stringify(operator.body)).toBe(200);
  expect((await api(aclDc1, 'GET', '/v1/agent/self', undefined, { token: operator.body.SecretID })).status).toBe(403);

  await page.goto(`${aclDc1}/ui/dc1/peers`);
  const dialog = await openLoginFromPrompt(page);
  await dialog.getByLabel('Log in with a token').fill(operator.body.SecretID);
  await dialog.getByRole('button', { name: 'Log in' }).click();
  await expect(dialog).toBeHidden();
  await expect(peerRow(page, 'cluster-02')).toContainText('Pending');
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
});
