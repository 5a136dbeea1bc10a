import { expect, test } from './fixtures/gateway.js';
import { REMOTE_IP, RemoteDevice } from './fixtures/remote-device.js';
import { signIn } from './fixtures/ui.js';

test.describe('Devices page', () => {
  test('a remote pairing request appears live; Approve lets the device connect; the badge follows', async ({
    page,
    gateway,
  }) => {
    await signIn(page, gateway, '/devices');
    await expect(page.getByText('No pending requests')).toBeVisible();
    await expect(page).toHaveTitle('special-agent');

    const device = await RemoteDevice.create(gateway.wsUrl, gateway.token, 'E2E phone');
    try {
      const first = await device.connect();
      expect(first.ok).toBe(false);
      if (first.ok) return;
      expect(first.error.detailCode).toBe('PAIRING_REQUIRED');

      // No reload: the request arrives through the device.pair.requested event.
      const card = page.getByRole('article', { name: 'Pairing request from E2E phone' });
      await expect(card).toBeVisible({ timeout: 2000 });
      await expect(card).toContainText(REMOTE_IP);
      await expect(card).toContainText('operator.read');
      await expect(page.getByRole('link', { name: /Devices/ }).getByText('1')).toBeVisible();
      await expect(page).toHaveTitle('(1) special-agent');

      await card.getByRole('button', { name: 'Approve' }).click();
      await expect(card).toBeHidden();
      await expect(page).toHaveTitle('special-agent');
      await expect(page.getByRole('row', { name: /E2E phone/ })).toContainText('no token');

      const second = await device.connect();
      expect(second.ok).toBe(true);
      // Its first connect after approval issued its device token.
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(page.getByRole('row', { name: /E2E phone/ })).toContainText('active');
    } finally {
      device.close();
    }
  });

  test('approves a request under a new name with fewer scopes than it asked for', async ({
    page,
    gateway,
  }) => {
    await signIn(page, gateway, '/devices');
    const device = await RemoteDevice.create(gateway.wsUrl, gateway.token, 'E2E tablet', [
      'operator.read',
      'operator.write',
    ]);
    try {
      const first = await device.connect();
      expect(first.ok).toBe(false);
      const card = page.getByRole('article', { name: 'Pairing request from E2E tablet' });
      await expect(card).toBeVisible({ timeout: 2000 });
      const name = card.getByRole('textbox', { name: 'Name' });
      await expect(name).toHaveValue('E2E tablet');
      const grant = card.getByRole('group', { name: 'Scopes to grant' });
      await expect(grant.getByRole('checkbox', { name: 'operator.read' })).toBeChecked();
      await expect(grant.getByRole('checkbox', { name: 'operator.write' })).toBeChecked();

      await name.fill('Kitchen tablet');
      await grant.getByRole('checkbox', { name: 'operator.write' }).uncheck();
      await card.getByRole('button', { name: 'Approve' }).click();
      await expect(card).toBeHidden();

      const row = page.getByRole('row', { name: /Kitchen tablet/ });
      await expect(row).toContainText('operator.read');
      await expect(row).not.toContainText('operator.write');
      await expect(page.getByRole('row', { name: /E2E tablet/ })).toHaveCount(0);
    } finally {
      device.close();
    }
  });

  test('names this browser by browser and system, marks its row and shows its address', async ({
    page,
    gateway,
  }) => {
    await signIn(page, gateway, '/devices');
    const own = page.getByRole('row', { name: /this browser/ });
    await expect(own).toHaveCount(1);
    await expect(own).toContainText('Chrome on Linux');
    await expect(own).toContainText('127.0.0.1');
    await expect(own).toContainText('just now');
    await expect(page.getByText('Control UI (Chrome)')).toHaveCount(0);
  });

  test('Reject makes the device’s next connect fail', async ({ page, gateway }) => {
    await signIn(page, gateway, '/devices');
    const device = await RemoteDevice.create(gateway.wsUrl, gateway.token, 'Rejected laptop');
    try {
      const first = await device.connect();
      expect(first.ok).toBe(false);
      const card = page.getByRole('article', { name: 'Pairing request from Rejected laptop' });
      await expect(card).toBeVisible({ timeout: 2000 });
      await expect(page).toHaveTitle('(1) special-agent');
      await card.getByRole('button', { name: 'Reject' }).click();
      await expect(card).toBeHidden();
      await expect(page).toHaveTitle('special-agent');

      const second = await device.connect();
      expect(second.ok).toBe(false);
      if (!second.ok) expect(second.error.code).toBe('NOT_PAIRED');
      await expect(page.getByRole('row', { name: /Rejected laptop/ })).toHaveCount(0);
    } finally {
      device.close();
    }
  });

  test('highlights the request named in ?request= and revokes a device token after confirming', async ({
    page,
    gateway,
  }) => {
    const device = await RemoteDevice.create(gateway.wsUrl, gateway.token, 'Deep link tablet');
    try {
      const first = await device.connect();
      const requestId = first.ok ? '' : String(first.error.details?.requestId);
      await signIn(page, gateway, `/devices?request=${requestId}`);
      const card = page.locator(`[data-request-id="${requestId}"]`);
      await expect(card).toHaveClass(/card-highlight/);
      await card.getByRole('button', { name: 'Approve' }).click();
      await expect(card).toBeHidden();
      const connected = await device.connect();
      expect(connected.ok).toBe(true);

      await page.getByRole('button', { name: 'Actions for Deep link tablet' }).click();
      await page.getByRole('menuitem', { name: 'Revoke token' }).click();
      const dialog = page.getByRole('dialog');
      await expect(dialog).toContainText('stops working');
      await dialog.getByRole('button', { name: 'Revoke token' }).click();
      await expect(page.getByRole('row', { name: /Deep link tablet/ })).toContainText('revoked');
      if (connected.ok) expect((await connected.client.closed()).code).toBe(4001);
    } finally {
      device.close();
    }
  });
});
