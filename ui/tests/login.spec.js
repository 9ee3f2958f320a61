// Consul's login prompt and "Log in" with a token, on a real cluster whose ACL answers are replayed with
// page.route (ACL enforcement is not part of this build): a 403 from the API shows "You are not authorized" with
// Log in; the token is checked with GET /v1/acl/token/self, kept in local storage and sent as X-Consul-Token.

import { expect, test } from '@playwright/test';
import { dc1 } from './support.js';

const DENIAL = "Permission denied: anonymous token lacks permission 'peering:read'. The anonymous token is used "
  + 'implicitly when a request does not specify a token.';

test('a 403 shows Consul\'s login prompt; a token is checked, kept in local storage and sent as X-Consul-Token', async ({ page }) => {
  const sent = [];
  await page.route('**/v1/**', (route) => {
    const url = new URL(route.request().url());
    const token = route.request().headers()['x-consul-token'];
    sent.push([url.pathname, token]);
    if (url.pathname === '/v1/acl/token/self') {
      return token === 'good-secret'
        ? route.fulfill({ json: { AccessorID: 'a1', SecretID: 'good-secret', Description: 'operator' } })
        : route.fulfill({ status: 403, contentType: 'text/plain', body: token ? 'ACL not found' : DENIAL });
    }
    if (url.pathname === '/v1/peerings' && token !== 'good-secret') {
      return route.fulfill({ status: 403, contentType: 'text/plain', body: DENIAL });
    }
    return route.continue();
  });

  await page.goto(`${dc1}/ui/dc1/peers`);
  await expect(page.getByRole('heading', { level: 1, name: 'Error 403' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'You are not authorized' })).toBeVisible();
  await expect(page.getByText('You must be granted permissions to view this data. Ask your administrator if you think you should have access.')).toBeVisible();

  await page.locator('main').getByRole('button', { name: 'Log in' }).click();
  const dialog = page.getByRole('dialog', { name: 'Log in' });
  await expect(dialog.getByLabel('Log in with a token')).toBeFocused();
  await expect(dialog.getByText('Contact your administrator for login credentials.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Log in' }).click();
  await expect(dialog.getByText('Please enter your secret')).toBeVisible();
  await dialog.getByLabel('Log in with a token').fill('wrong-secret');
  await dialog.getByRole('button', { name: 'Log in' }).click();
  await expect(dialog.getByRole('alert').filter({ hasText: 'Invalid token' }))
    .toContainText('The token entered does not exist. Please enter a valid token to log in.');
  expect(await page.evaluate(() => localStorage.length), 'a refused token is not kept').toBe(0);

  await dialog.getByLabel('Log in with a token').fill('good-secret');
  await dialog.getByRole('button', { name: 'Log in' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name: 'Peers' })).toBeVisible();
  expect(await page.evaluate(() => Object.values(localStorage))).toEqual(['good-secret']);
  expect(sent.filter(([path]) => path === '/v1/peerings').at(-1)[1]).toBe('good-secret');

  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Peers' }), 'the token outlives a reload').toBeVisible();
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'You are not authorized' })).toBeVisible();
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
  expect(sent.filter(([path]) => path === '/v1/peerings').at(-1)[1], 'no token once logged out').toBeUndefined();
});
