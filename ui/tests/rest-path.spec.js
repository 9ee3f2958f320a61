// The page under the REST API variant's path. There the stage, v1, is the first segment of every URL, so the page
// lives at /v1/ui/ while the API stays at /v1/...; the stack deploys index.html with its ="/ui/ references made
// ="/v1/ui/. A real cluster serves only /ui/, so this test hands the page's files to the browser under /v1/ui/
// (index.html rewritten as the stack does) and lets everything else reach the real cluster: the page must keep the
// /v1/ui/ base in its links and routes and call the API at /v1/... unchanged.

import { expect, test } from '@playwright/test';
import { dc1 } from './support.js';

const REST_BASE = '/v1/ui/';

/** Serves the page's files at /v1/ui/... from the cluster's /ui/..., as the REST API's S3 integration would. */
async function serveUnderRestPath(page) {
  await page.route((url) => url.pathname === '/v1/ui' || url.pathname.startsWith(REST_BASE), async (route) => {
    const url = new URL(route.request().url());
    const local = url.pathname === '/v1/ui' ? '/ui/' : url.pathname.slice('/v1'.length);
    const response = await route.fetch({ url: `${dc1}${local}${url.search}` });
    let body = await response.body();
    if ((response.headers()['content-type'] || '').startsWith('text/html')) {
      body = body.toString('utf8').replaceAll('="/ui/', `="${REST_BASE}`);
    }
    await route.fulfill({ response, body });
  });
}

test('served at /v1/ui/ (the REST variant), the page keeps that base in its routes and links and calls /v1/... as it is', async ({ page }) => {
  const requested = [];
  const errors = [];
  page.on('request', (request) => requested.push(new URL(request.url()).pathname));
  page.on('pageerror', (error) => errors.push(error.message));
  await serveUnderRestPath(page);

  await page.goto(`${dc1}/v1/ui`);
  await expect(page).toHaveURL(`${dc1}/v1/ui/dc1/peers`);
  await expect(page.getByRole('heading', { level: 1, name: 'Peers' })).toBeVisible();
  await expect(page.locator('#nav-peers')).toHaveAttribute('href', '/v1/ui/dc1/peers');
  await expect(page.locator('.app-header'), 'the stylesheet loaded from /v1/ui/css/').toHaveCSS('display', 'flex');

  // A deep link: the peer route redirects to its first tab; the page's "Go back" keeps the base.
  await page.goto(`${dc1}/v1/ui/dc1/peers/nope`);
  await expect(page).toHaveURL(`${dc1}/v1/ui/dc1/peers/nope/imported-services`);
  await expect(page.getByText('Peering not found for "nope"')).toBeVisible();
  await page.getByRole('link', { name: 'Go back' }).click();
  await expect(page).toHaveURL(`${dc1}/v1/ui/dc1/peers`);
  await page.getByRole('link', { name: 'Peers', exact: true }).click();
  await expect(page).toHaveURL(`${dc1}/v1/ui/dc1/peers`);

  const api = requested.filter((p) => p.startsWith('/v1/') && !p.startsWith(REST_BASE));
  expect(api).toEqual(expect.arrayContaining(['/v1/agent/self', '/v1/acl/token/self', '/v1/peerings']));
  expect(requested.filter((p) => p.startsWith('/ui/')), 'nothing asked for outside the base').toEqual([]);
  expect(errors).toEqual([]);
});
