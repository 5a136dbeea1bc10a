/**
 * More paired devices than one `device.pair.list` page (500): the Devices page says more
 * exist and "Show more devices" loads the rest, instead of silently showing the first 500.
 */
import { createHash } from 'node:crypto';
import { expect, test } from './fixtures/gateway.js';
import { signIn } from './fixtures/ui.js';

const PREPARED = 520;

/** A `devices.json` in the previous release's format (version 2) with `count` paired devices. */
function storeOf(count: number): string {
  const hex = (text: string) => createHash('sha256').update(text).digest('hex');
  const since = Date.UTC(2026, 0, 1);
  const entries = Array.from({ length: count }, (_, index) => {
    const publicKey = Buffer.from(hex(`paging-key-${index}`), 'hex').toString('base64url');
    const device = {
      deviceId: hex(publicKey),
      publicKey,
      displayName: `Paged device ${String(index).padStart(3, '0')}`,
      platform: 'linux',
      clientId: 'special-agent-cli',
      roles: ['operator'],
      scopes: ['operator.read'],
      createdAtMs: since + index,
      approvedAtMs: since + index,
      approvedBy: 'local-auto',
      tokens: [{ role: 'operator', hash: hex(`paging-token-${index}`), createdAtMs: since }],
    };
    return [device.deviceId, device] as const;
  });
  const store = { version: 2, pending: {}, paired: Object.fromEntries(entries), invites: {} };
  return JSON.stringify(store);
}

test('Devices page: a second page of paired devices loads with "Show more devices"', async ({
  page,
  launchGateway,
}) => {
  const gateway = await launchGateway({ stateFiles: { 'devices.json': storeOf(PREPARED) } });
  await signIn(page, gateway, '/devices');
  // This browser paired itself on sign-in: 521 in all, 500 on the first page.
  const card = page.getByRole('region', { name: /^Paired devices/ });
  await expect(card.getByRole('heading', { name: 'Paired devices (500+)' })).toBeVisible();
  await expect(card).toContainText('Showing the first 500; the gateway has more.');
  const rows = card.locator('tbody tr');
  await expect(rows).toHaveCount(500);

  await card.getByRole('button', { name: 'Show more devices' }).click();
  await expect(
    card.getByRole('heading', { name: `Paired devices (${PREPARED + 1})` }),
  ).toBeVisible();
  await expect(rows).toHaveCount(PREPARED + 1);
  await expect(card.getByRole('button', { name: 'Show more devices' })).toHaveCount(0);
  await expect(card.getByText('Paged device 519')).toBeVisible();
});
