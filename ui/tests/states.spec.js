// Consul's state badges and our additions, drawn from answers of the HTTP API that a browser test cannot easily
// bring about on real clusters (a FAILING peer, one caught while DELETING): the API's answers are replayed to the
// page with page.route, everything else is the real page on a real cluster.

import { expect, test } from '@playwright/test';
import { dc1, peerRow, screenshot } from './support.js';

const ago = (seconds) => new Date(Date.now() - seconds * 1000).toISOString();

function peering(name, state, extra = {}) {
  return {
    ID: `00000000-0000-4000-8000-${String(name.length).padStart(12, '0')}`,
    Name: name,
    Partition: 'default',
    State: state,
    StreamStatus: {
      ImportedServices: null, ExportedServices: null, LastHeartbeat: null, LastReceive: null, LastSend: null, ...extra.StreamStatus,
    },
    CreateIndex: 5,
    ModifyIndex: 7,
    Remote: { Partition: 'default', Datacenter: 'dc9' },
    ...extra.fields,
  };
}

const failing = () => peering('failing-peer', 'FAILING', {
  StreamStatus: {
    ImportedServices: ['web', 'db'],
    LastHeartbeat: ago(150),
    LastReceive: ago(150),
    LastSend: ago(2),
    LastError: 'the last message to the peer failed: connection refused: 10.0.0.9:8501',
  },
});
const rows = () => [
  peering('pending-peer', 'PENDING'),
  peering('establishing-peer', 'ESTABLISHING', { fields: { PeerID: 'a-peer-id' } }),
  peering('active-peer', 'ACTIVE', { StreamStatus: { ExportedServices: ['web'], LastHeartbeat: ago(3), LastReceive: ago(3), LastSend: ago(1) } }),
  failing(),
  peering('deleting-peer', 'DELETING', { StreamStatus: { ImportedItemsLeft: 3 }, fields: { DeletedAt: ago(5) } }),
  peering('terminated-peer', 'TERMINATED'),
];

const BADGES = {
  'pending-peer': ['Pending', 'This peering connection has not been established yet.', 'rgb(255, 236, 247)'],
  'establishing-peer': ['Establishing', 'This peering connection is in the process of being established.', 'rgb(242, 248, 255)'],
  'active-peer': ['Active', 'This peer connection is currently active.', 'rgb(242, 251, 246)'],
  'failing-peer': ['Failing', 'This peering connection has some intermittent errors (usually network related). It will continue to retry.', 'rgb(255, 245, 245)'],
  'deleting-peer': ['Deleting', 'This peer is in the process of being deleted.', 'rgb(255, 249, 231)'],
  'terminated-peer': ['Terminated', 'Someone in the other peer may have deleted this peering connection.', 'rgb(235, 238, 242)'],
};

test('every state has Consul\'s badge, colour and tooltip; FAILING says why, DELETING shows the purge; no menu while deleting or terminated', async ({ page }, testInfo) => {
  await page.route('**/v1/peerings?*', (route) => route.fulfill({ json: rows(), headers: { 'X-Consul-Index': '7' } }));
  await page.route('**/v1/peerings', (route) => route.fulfill({ json: rows(), headers: { 'X-Consul-Index': '7' } }));
  await page.goto(`${dc1}/ui/dc1/peers`);

  for (const [name, [label, tooltip, background]] of Object.entries(BADGES)) {
    const badge = peerRow(page, name).locator('.peerings-badge');
    await expect(badge).toHaveText(label);
    await expect(badge).toHaveCSS('background-color', background);
    await badge.hover();
    await expect(peerRow(page, name).getByRole('tooltip').first()).toHaveText(tooltip);
    await expect(badge).toHaveAccessibleDescription(tooltip);
    const menus = await peerRow(page, name).getByRole('button', { name: /More actions/ }).count();
    expect(menus, `${name} has ${menus ? 'a' : 'no'} menu`).toBe(['deleting-peer', 'terminated-peer'].includes(name) ? 0 : 1);
  }
  await expect(peerRow(page, 'failing-peer')).toContainText('the last message to the peer failed: connection refused');
  await expect(peerRow(page, 'failing-peer')).toContainText('2 imported services');
  await expect(peerRow(page, 'active-peer')).toContainText('1 exported services');
  await expect(peerRow(page, 'deleting-peer')).toContainText('Purging imported data: 3 items left.');
  await page.mouse.move(0, 0);
  await screenshot(page, testInfo, 'peer-states');

  await page.route('**/v1/peering/failing-peer*', (route) => route.fulfill({ json: failing(), headers: { 'X-Consul-Index': '7' } }));
  await peerRow(page, 'failing-peer').getByRole('link', { name: 'failing-peer' }).click();
  const bento = page.locator('.bento-box');
  await expect(bento).toContainText('Failing');
  await expect(bento).toContainText('connection refused: 10.0.0.9:8501');
  await expect(bento).toContainText('Last success: 2 seconds ago');
  await expect(bento).toContainText('2 minutes ago');
  await expect(page.getByRole('link', { name: 'Addresses' }), 'the accepting side has no Addresses tab').toHaveCount(0);
});
