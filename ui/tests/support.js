// What the browser tests share: the clusters' URLs, the HTTP API as curl would call it (for setting up what a user
// would set up with curl, and for checking what the page wrote), and the screenshots for the README.

import path from 'node:path';
import { UI_DIR } from './clusters.js';

export const dc1 = process.env.CLUSTER_DC1_URL;
export const dc2 = process.env.CLUSTER_DC2_URL;
/** A cluster (datacenter dc1) with ACLs on and default deny, not bootstrapped until a test does it. */
export const aclDc1 = process.env.CLUSTER_ACL_URL;

/**
 * One HTTP API call; resolves to {status, body} (body parsed as JSON when it is JSON). token, when given, is sent
 * as X-Consul-Token.
 */
export async function api(base, method, pathAndQuery, body, { token } = {}) {
  const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
  if (token) {
    headers['X-Consul-Token'] = token;
  }
  const response = await fetch(base + pathAndQuery, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers,
  });
  const text = await response.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // plain text
  }
  return { status: response.status, body: parsed };
}

/** Registers a service instance with one check (passing unless status says otherwise), as the README does with curl. */
export function registerService(base, { node = 'node-1', address = '10.0.0.1', id, service, port = 8080, tags = [], status = 'passing' }) {
  return api(base, 'PUT', '/v1/catalog/register', {
    Node: node,
    Address: address,
    Service: { ID: id, Service: service, Port: port, Tags: tags },
    Check: { CheckID: `${id}-check`, Name: `${service} check`, Status: status, ServiceID: id },
  });
}

/** Deregisters a service instance, as `PUT /v1/catalog/deregister` with curl. */
export function deregisterService(base, { node = 'node-1', id }) {
  return api(base, 'PUT', '/v1/catalog/deregister', { Node: node, ServiceID: id });
}

/**
 * Saves a screenshot of the page as ui/docs/<name>.png (the README shows these) and attaches it to the test's
 * results. fullPage takes the whole page rather than the window.
 */
export async function screenshot(page, testInfo, name, { fullPage = false } = {}) {
  const file = path.join(UI_DIR, 'docs', `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** The table row of a peer on the list. */
export function peerRow(page, name) {
  return page.locator(`tr[data-peer="${name}"]`);
}
