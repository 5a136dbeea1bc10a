/**
 * The paired-devices list: one keyboard-operable actions menu per device instead of three
 * buttons, a table on wide screens and cards under 640 px.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/gateway.js';
import type { RunningGateway } from './fixtures/gateway.js';
import { RemoteDevice } from './fixtures/remote-device.js';
import { signIn } from './fixtures/ui.js';

/** Pairs a remote device through the Devices page and gives it a device token. */
async function pairedRemote(page: Page, gateway: RunningGateway, name: string) {
  const device = await RemoteDevice.create(gateway.wsUrl, gateway.token, name);
  await device.connect();
  const card = page.getByRole('article', { name: `Pairing request from ${name}` });
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card).toBeHidden();
  const connected = await device.connect();
  expect(connected.ok).toBe(true);
  await page.getByRole('button', { name: 'Refresh' }).click();
  return device;
}

test.describe('Paired devices actions', () => {
  test('one Actions menu per row, operable with the keyboard alone', async ({ page, gateway }) => {
    await signIn(page, gateway, '/devices');
    const device = await pairedRemote(page, gateway, 'E2E phone');
    try {
      const row = page.getByRole('row', { name: /E2E phone/ });
      await expect(row).toContainText('active');
      // The three actions no longer sit in the row as separate buttons.
      await expect(row.getByRole('button')).toHaveCount(1);
      const button = row.getByRole('button', { name: 'Actions for E2E phone' });
      await expect(button).toHaveAttribute('aria-haspopup', 'menu');
      await expect(button).toHaveAttribute('aria-expanded', 'false');

      await button.focus();
      await page.keyboard.press('Enter');
      const menu = page.getByRole('menu');
      await expect(button).toHaveAttribute('aria-expanded', 'true');
      await expect(menu.getByRole('menuitem')).toHaveText([
        'Rename…',
        'Rotate token',
        'Revoke token',
        'Remove device',
      ]);
      await expect(menu.getByRole('menuitem', { name: 'Rename…' })).toBeFocused();
      await page.keyboard.press('ArrowDown');
      await expect(menu.getByRole('menuitem', { name: 'Rotate token' })).toBeFocused();
      await page.keyboard.press('Escape');
      await expect(menu).toBeHidden();
      await expect(button).toHaveAttribute('aria-expanded', 'false');
      await expect(button).toBeFocused();

      // ArrowUp opens on the last item; Enter chooses it, behind a confirmation.
      await page.keyboard.press('ArrowUp');
      await expect(menu.getByRole('menuitem', { name: 'Remove device' })).toBeFocused();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await expect(dialog).toContainText('Remove device for “E2E phone”?');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect(dialog).toBeHidden();
      await expect(button).toBeFocused();

      // A click elsewhere closes an open menu.
      await button.click();
      await expect(menu).toBeVisible();
      await page.getByRole('heading', { name: 'Devices', level: 1 }).click();
      await expect(menu).toBeHidden();
    } finally {
      device.close();
    }
  });

  test('under 640 px devices are cards whose menu still acts; wider, the table returns', async ({
    page,
    gateway,
  }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, gateway, '/devices');
    const device = await pairedRemote(page, gateway, 'Card phone');
    try {
      await expect(page.getByRole('table')).toHaveCount(0);
      const own = page.getByRole('article', { name: /^Device / }).filter({
        hasText: 'this browser',
      });
      await expect(own).toContainText('Chrome on Linux');
      await expect(own).toContainText('127.0.0.1');
      const card = page.getByRole('article', { name: 'Device Card phone' });
      await expect(card).toContainText('active');

      await card.getByRole('button', { name: 'Actions for Card phone' }).click();
      await page.getByRole('menuitem', { name: 'Revoke token' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
      await expect(card).toContainText('revoked');

      await page.setViewportSize({ width: 1280, height: 800 });
      await expect(page.getByRole('row', { name: /Card phone/ })).toContainText('revoked');
      await expect(page.getByRole('article', { name: 'Device Card phone' })).toHaveCount(0);
    } finally {
      device.close();
    }
  });
});
