// The Peers page, clicked through on two real local clusters as the README walks through it: generate on dc1,
// establish on dc2, export a service and see it imported, allow a peer's service, search and sort, delete.
// The tests run in order: each builds on what the one before did, as a user would.

import { expect, test } from '@playwright/test';
import { api, dc1, dc2, deregisterService, peerRow, registerService, screenshot } from './support.js';

test.describe.configure({ mode: 'serial' });

let token;

test('a cluster without peers welcomes you to Peers, and / leads to the page', async ({ page }) => {
  await page.goto(`${dc1}/`);
  await expect(page).toHaveURL(`${dc1}/ui/dc1/peers`);
  await expect(page).toHaveTitle('Peers - Consul');
  await expect(page.getByRole('heading', { level: 1, name: 'Peers' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Welcome to Peers' })).toBeVisible();
  await expect(page.getByText("There don't seem to be any peers for this datacenter.")).toBeVisible();
  await expect(page.getByRole('link', { name: 'Documentation on Peers' })).toBeVisible();
  await expect(page.getByRole('searchbox'), 'the search bar shows only when there are peers').toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Log in' }), 'no login while ACLs are off').toBeHidden();
});

test('generate a token on dc1 and paste it into Establish peering on dc2: both rows read Active', async ({ page, context }, testInfo) => {
  await page.goto(`${dc1}/ui/`);
  await page.getByRole('button', { name: 'Add peer connection' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add peer connection' });
  await expect(dialog.getByRole('tab', { name: 'Generate token' })).toHaveAttribute('aria-selected', 'true');
  const panel = dialog.getByRole('tabpanel');
  const generate = dialog.getByRole('button', { name: 'Generate token' });
  await expect(generate, 'disabled while Name is empty').toBeDisabled();
  await expect(panel.getByText('Must be a valid DNS hostname. Must contain 1-64 characters')).toBeVisible();

  await panel.getByLabel('Name of peer').fill('2-cluster');
  await expect(panel.getByText('Name must be a valid DNS hostname.')).toBeVisible();
  await expect(generate).toBeDisabled();
  await panel.getByLabel('Name of peer').fill('cluster-02');
  await expect(panel.getByText('Name must be a valid DNS hostname.')).toBeHidden();
  await expect(panel.getByLabel('Server address(es)')).toBeEmpty();
  await screenshot(page, testInfo, 'add-peer-generate');

  await generate.click();
  await expect(dialog.getByText('Token generated! Here’s what’s next:')).toBeVisible();
  await expect(dialog.getByText('This token cannot be viewed again after creation.')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Generate another token' })).toBeVisible();
  await screenshot(page, testInfo, 'add-peer-token');
  await dialog.getByRole('button', { name: 'Copy token' }).click();
  await expect(dialog.getByRole('button', { name: 'Copied!' })).toBeVisible();
  token = await page.evaluate(() => navigator.clipboard.readText());
  expect(token).toBe(await dialog.locator('[data-test-peering-token]').innerText());
  expect(token.split('.')).toHaveLength(3);
  await dialog.locator('.modal-dialog-footer').getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await expect(peerRow(page, 'cluster-02')).toContainText('Pending');

  // The other cluster: Establish peering with the copied token.
  const other = await context.newPage();
  await other.goto(`${dc2}/ui/`);
  await other.getByRole('button', { name: 'Add peer connection' }).click();
  const establishDialog = other.getByRole('dialog', { name: 'Add peer connection' });
  await establishDialog.getByRole('tab', { name: 'Establish peering' }).click();
  const establish = establishDialog.getByRole('tabpanel');
  await expect(establish.getByText('Enter a token generated in the desired peer.')).toBeVisible();
  await expect(establishDialog.getByRole('button', { name: 'Add peer' })).toBeDisabled();
  await establish.getByLabel('Name of peer').fill('cluster-01');
  await establish.getByLabel('Token').fill(token);
  await screenshot(other, testInfo, 'add-peer-establish');
  await establishDialog.getByRole('button', { name: 'Add peer' }).click();
  await expect(other.getByRole('status').filter({ hasText: 'Success!' })).toBeVisible();
  await expect(other).toHaveURL(`${dc2}/ui/dc2/peers/cluster-01/imported-services`);
  await expect(other.getByRole('heading', { level: 1, name: 'cluster-01' })).toBeVisible();

  // Blocking queries bring the new states without a reload.
  await other.getByRole('link', { name: 'All Peers' }).click();
  await expect(peerRow(other, 'cluster-01')).toContainText('Active');
  await expect(peerRow(page, 'cluster-02')).toContainText('Active');
  await expect(peerRow(page, 'cluster-02')).toContainText('0 imported services');
  await expect(peerRow(page, 'cluster-02')).toContainText('0 exported services');
  await screenshot(page, testInfo, 'peers-list');
});

test('a reused token shows Consul\'s 403 text inline', async ({ page }) => {
  await page.goto(`${dc2}/ui/dc2/peers`);
  await page.getByRole('button', { name: 'Add peer connection' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add peer connection' });
  await dialog.getByRole('tab', { name: 'Establish peering' }).click();
  const panel = dialog.getByRole('tabpanel');
  await panel.getByLabel('Name of peer').fill('cluster-01');
  await panel.getByLabel('Token').fill(token);
  const answer = page.waitForResponse((r) => r.url().endsWith('/v1/peering/establish'));
  await dialog.getByRole('button', { name: 'Add peer' }).click();
  expect((await answer).status()).toBe(403);
  const alert = panel.getByRole('alert');
  await expect(alert).toContainText('Error');
  await expect(alert).toContainText('a new peering token must be generated: invalid peering establishment secret');
  await expect(dialog, 'the dialog stays open to try again').toBeVisible();
});

test('export a registered service from the peer\'s page; the other cluster lists it under Imported Services', async ({ page, context }, testInfo) => {
  expect((await registerService(dc1, { id: 'backend-1', service: 'backend', tags: ['v1'] })).status).toBe(200);

  await page.goto(`${dc1}/ui/dc1/peers/cluster-02/exported-services`);
  await expect(page.getByRole('heading', { level: 1, name: 'cluster-02' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Exported Services' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByText('No visible exported services to cluster-02')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Addresses' }), 'Addresses only on the side that established').toHaveCount(0);
  await page.getByLabel('Service name').fill('backend');
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Stop exporting backend to cluster-02' })).toBeVisible();
  await expect(page.locator('[data-test-service-name="backend"] .sync'), 'the peer holds it: synced')
    .toHaveText('Synced', { timeout: 15000 });
  const entry = await api(dc1, 'GET', '/v1/config/exported-services/default');
  expect(entry.body.Services).toEqual([{ Name: 'backend', Consumers: [{ Peer: 'cluster-02' }] }]);
  await screenshot(page, testInfo, 'peer-exported-services');

  const other = await context.newPage();
  await other.goto(`${dc2}/ui/dc2/peers/cluster-01`);
  await expect(other).toHaveURL(`${dc2}/ui/dc2/peers/cluster-01/imported-services`);
  const imported = other.locator('[data-test-imported-service="backend"]');
  await expect(imported).toBeVisible();
  await expect(imported).toContainText('1 passing');
  await expect(imported).toContainText('1 instance');
  await expect(imported).toContainText('v1');
  await expect(imported.locator('.sync')).toHaveText('Synced');
  await expect(other.getByRole('columnheader', { name: 'Sync' })).toBeVisible();
  await expect(other.getByText('Latest heartbeat')).toBeVisible();
  await expect(other.locator('.bento-box')).not.toContainText('None yet');
  await screenshot(other, testInfo, 'peer-imported-services');

  await other.getByRole('link', { name: 'Addresses' }).click();
  await expect(other.getByRole('list', { name: 'Server addresses' })).toContainText(new URL(dc1).host);

  await page.getByRole('link', { name: 'All Peers' }).click();
  await expect(peerRow(page, 'cluster-02')).toContainText('1 exported services');
  await other.getByRole('link', { name: 'All Peers' }).click();
  await expect(peerRow(other, 'cluster-01')).toContainText('1 imported services');
});

test('an open Imported Services tab follows the peer: an instance added, one turned critical, one removed', async ({ page }) => {
  await page.goto(`${dc2}/ui/dc2/peers/cluster-01/imported-services`);
  const imported = page.locator('[data-test-imported-service="backend"]');
  await expect(imported).toContainText('1 passing');
  await expect(imported).toContainText('1 instance');
  // No reload from here on: each change reaches the page through the service's own blocking query.
  const follows = { timeout: 10_000 };

  expect((await registerService(dc1, { id: 'backend-2', service: 'backend', address: '10.0.0.2', node: 'node-2' })).status).toBe(200);
  await expect(imported, 'an instance added on the peer').toContainText('2 passing', follows);
  await expect(imported).toContainText('2 instances');

  expect((await registerService(dc1, { id: 'backend-2', service: 'backend', address: '10.0.0.2', node: 'node-2', status: 'critical' })).status).toBe(200);
  await expect(imported, 'an instance turned critical').toContainText('1 critical', follows);
  await expect(imported).toContainText('1 passing');
  await expect(imported).toContainText('2 instances');

  expect((await deregisterService(dc1, { id: 'backend-2', node: 'node-2' })).status).toBe(200);
  await expect(imported, 'the instance removed').toContainText('1 instance', follows);
  await expect(imported).not.toContainText('critical');
  await expect(imported).not.toContainText('2 instances');
});

test('allow a service of the peer with an intention; Consul\'s validation message shows inline', async ({ page }, testInfo) => {
  await page.goto(`${dc1}/ui/dc1/peers/cluster-02/intentions`);
  await expect(page.getByText('No intentions for services of cluster-02')).toBeVisible();
  await page.getByLabel('Source service').fill('fro*');
  await page.getByLabel('Destination service').fill('backend');
  await page.getByRole('button', { name: 'Save intention' }).click();
  await expect(page.getByRole('alert')).toContainText("Sources[0].Name: wildcard character '*' cannot be used with partial values");

  await page.getByLabel('Source service').fill('frontend');
  await page.getByRole('button', { name: 'Save intention' }).click();
  const row = page.locator('[data-test-intention="frontend->backend"]');
  // The Permission cell, not the whole row: the row also holds the button that flips it, labelled with the other action.
  const permission = row.locator('.intention-action');
  await expect(permission).toHaveText('Allow');
  let entry = await api(dc1, 'GET', '/v1/config/service-intentions/backend');
  expect(entry.body.Sources).toEqual([{ Name: 'frontend', Peer: 'cluster-02', Action: 'allow' }]);
  await screenshot(page, testInfo, 'peer-intentions', { fullPage: true });

  await row.getByRole('button', { name: 'Deny frontend to backend' }).click();
  await expect(permission).toHaveText('Deny');
  entry = await api(dc1, 'GET', '/v1/config/service-intentions/backend');
  expect(entry.body.Sources[0].Action).toBe('deny');

  await row.getByRole('button', { name: 'Remove the intention frontend to backend' }).click();
  await expect(page.getByText('No intentions for services of cluster-02')).toBeVisible();
  expect((await api(dc1, 'GET', '/v1/config/service-intentions/backend')).status).toBe(404);
});

test('search across Name and ID, filter by status, sort, and regenerate a token from the row menu by keyboard', async ({ page }) => {
  for (const name of ['alpha', 'zulu']) {
    expect((await api(dc1, 'POST', '/v1/peering/token', { PeerName: name })).status).toBe(200);
  }
  const alphaId = (await api(dc1, 'GET', '/v1/peering/alpha')).body.ID;
  await page.goto(`${dc1}/ui/dc1/peers`);
  const names = () => page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.peer));
  await expect.poll(names, { message: 'Pending to Deleting, then by name' }).toEqual(['alpha', 'zulu', 'cluster-02']);

  await page.getByRole('searchbox', { name: 'Search' }).fill('alp');
  await expect.poll(names).toEqual(['alpha']);
  await expect(page).toHaveURL(/filter=alp/);
  await page.getByRole('button', { name: 'Remove filter: Search alp' }).click();
  await expect.poll(names).toHaveLength(3);

  await page.getByRole('button', { name: 'Search Across' }).click();
  await page.getByRole('checkbox', { name: 'Name' }).uncheck();
  await page.getByRole('searchbox', { name: 'Search' }).fill(alphaId.slice(0, 8));
  await expect.poll(names).toEqual(['alpha']);
  await page.getByRole('searchbox', { name: 'Search' }).fill('alpha');
  await expect(page.getByRole('heading', { name: 'No peers found' })).toBeVisible();
  await expect(page.getByText('No peers were found matching that search.')).toBeVisible();
  await page.getByRole('checkbox', { name: 'Name' }).check();
  await page.getByRole('searchbox', { name: 'Search' }).fill('');
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Status' }).click();
  await page.getByRole('checkbox', { name: 'Active' }).check();
  await expect.poll(names).toEqual(['cluster-02']);
  await expect(page).toHaveURL(/state=ACTIVE/);
  await page.reload();
  await expect.poll(names, { message: 'the filter survives a reload (deep link)' }).toEqual(['cluster-02']);
  await page.getByRole('button', { name: 'Remove filter: Status Active' }).click();
  await expect.poll(names).toHaveLength(3);

  await page.getByLabel('Sort').selectOption({ label: 'Z to A' });
  await expect.poll(names).toEqual(['zulu', 'cluster-02', 'alpha']);
  await page.getByLabel('Sort').selectOption({ label: 'Deleting to Pending' });
  await expect.poll(names).toEqual(['cluster-02', 'zulu', 'alpha']);

  // The row menu by keyboard: open, move to "Regenerate token", choose it.
  const more = peerRow(page, 'alpha').getByRole('button', { name: 'More actions for alpha' });
  await more.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: 'More actions for alpha' });
  await expect(menu.getByRole('menuitem', { name: 'View' })).toBeFocused();
  await expect(menu.getByRole('menuitem')).toHaveText(['View', 'Regenerate token', 'Revoke token', 'Delete']);
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Regenerate token' })).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Regenerate token' });
  await expect(dialog.getByText('Token regenerated! Here’s what’s next:')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Generate another token' })).toHaveCount(0);
  await expect(dialog.getByRole('button', { name: 'Copy token' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // The dialer's row (dc2) cannot regenerate: it did not generate the token.
  await page.goto(`${dc2}/ui/dc2/peers`);
  await peerRow(page, 'cluster-01').getByRole('button', { name: 'More actions for cluster-01' }).click();
  await expect(page.getByRole('menu').getByRole('menuitem')).toHaveText(['View', 'Delete']);
});

test('the Outstanding token column shows unused and superseded tokens; Revoke token ends one, the Active peering stays', async ({ page }) => {
  await page.goto(`${dc1}/ui/dc1/peers`);
  await expect(page.getByRole('columnheader', { name: 'Outstanding token' })).toBeVisible();
  // alpha: one token from the API, regenerated from the row menu before: the newest is unused, one superseded.
  await expect(peerRow(page, 'alpha')).toContainText(/Unused, expires \d{4}-\d\d-\d\d \d\d:\d\d UTC; 1 superseded/);
  await expect(peerRow(page, 'cluster-02'), 'its token was used').toContainText('None');

  await peerRow(page, 'alpha').getByRole('button', { name: 'More actions for alpha' }).click();
  await page.getByRole('menu', { name: 'More actions for alpha' }).getByRole('menuitem', { name: 'Revoke token' }).click();
  await expect(peerRow(page, 'alpha'), 'the blocking query brings the revoke').toContainText('None usable (1 superseded)');
  await peerRow(page, 'alpha').getByRole('button', { name: 'More actions for alpha' }).click();
  await expect(page.getByRole('menu', { name: 'More actions for alpha' }).getByRole('menuitem'))
    .toHaveText(['View', 'Regenerate token', 'Delete']);
  await page.keyboard.press('Escape');
  await expect(peerRow(page, 'cluster-02')).toContainText('Active');
  expect((await api(dc1, 'DELETE', '/v1/peering/alpha/token')).status, 'nothing left to revoke').toBe(409);
});

test('delete from the row menu: Confirm delete, the success toast, and Terminated on the other cluster', async ({ page, context }, testInfo) => {
  await page.goto(`${dc2}/ui/dc2/peers`);
  await peerRow(page, 'cluster-01').getByRole('button', { name: 'More actions for cluster-01' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Confirm delete' });
  await expect(confirm.getByText('Are you sure you want to delete this peer?')).toBeVisible();
  await screenshot(page, testInfo, 'delete-confirm');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  const toast = page.getByRole('status').filter({ hasText: 'Success!' });
  await expect(toast).toContainText('Your Peer has been marked for deletion.');
  await expect(peerRow(page, 'cluster-01'), 'removed once the purge is done').toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Welcome to Peers' })).toBeVisible();
  expect((await api(dc2, 'GET', '/v1/health/service/backend?peer=cluster-01')).body).toEqual([]);

  const other = await context.newPage();
  await other.goto(`${dc1}/ui/dc1/peers`);
  await expect(peerRow(other, 'cluster-02')).toContainText('Terminated');
  await expect(peerRow(other, 'cluster-02').getByRole('button', { name: /More actions/ }), 'no menu for TERMINATED rows').toHaveCount(0);
  await peerRow(other, 'cluster-02').getByRole('link', { name: 'cluster-02' }).click();
  await expect(other.locator('.bento-box')).toContainText('Terminated');
});

test('plain and accessible: keyboard reachable, every control labelled, nothing cut at 1024 px, nothing from elsewhere', async ({ page }) => {
  const elsewhere = [];
  const errors = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(`${dc1}/`)) {
      elsewhere.push(request.url());
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.goto(`${dc1}/ui/dc1/peers`);
  await expect(peerRow(page, 'alpha')).toBeVisible();
  await expectPlain(page);

  // From the top of the page, Tab reaches "Add peer connection"; Enter opens the dialog with focus in it.
  const add = page.getByRole('button', { name: 'Add peer connection' });
  for (let i = 0; i < 10 && !(await add.evaluate((b) => b === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(add).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add peer connection' });
  await expect(dialog.getByRole('tabpanel').getByLabel('Name of peer')).toBeFocused();
  await expectPlain(page);
  await dialog.getByRole('tab', { name: 'Generate token' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(dialog.getByRole('tab', { name: 'Establish peering' })).toBeFocused();
  await expect(dialog.getByRole('tab', { name: 'Establish peering' })).toHaveAttribute('aria-selected', 'true');
  await expectPlain(page);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(add, 'focus returns to the button that opened the dialog').toBeFocused();

  for (const tab of ['imported-services', 'exported-services', 'intentions']) {
    await page.goto(`${dc1}/ui/dc1/peers/alpha/${tab}`);
    await expect(page.getByRole('heading', { level: 1, name: 'alpha' })).toBeVisible();
    await expect(page.locator('.tab-panel .loading')).toHaveCount(0);
    await expectPlain(page);
  }
  expect(elsewhere, 'no CDN, no external font, nothing from another origin').toEqual([]);
  expect(errors).toEqual([]);
});

/**
 * No horizontal scrolling, no inline style, and an accessible name on every control: in the accessibility tree
 * (Playwright's ARIA snapshot of the page, or of the open dialog) no control may appear without a name.
 */
async function expectPlain(page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
    'the layout fits the window').toBe(true);
  expect(await page.locator('[style]').count(), 'no inline styles').toBe(0);
  const dialog = page.locator('dialog[open]');
  const tree = await ((await dialog.count()) ? dialog : page.locator('body')).ariaSnapshot();
  const controls = tree.split('\n').filter((line) => /^\s*- (button|link|textbox|searchbox|combobox|checkbox|radio|tab|menuitem)\b/.test(line));
  expect(controls.length).toBeGreaterThan(3);
  expect(controls.filter((line) => !/^\s*- \w+ "[^"]+"/.test(line)), 'controls without a name').toEqual([]);
}
