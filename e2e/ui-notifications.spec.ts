/**
 * Pairing requests reach a person who is not looking at the Devices page: a browser
 * notification (permission asked only on a click), an `aria-live` announcement, and a
 * setting in "This browser" that turns notifications off and sticks.
 */
import { expect, test } from './fixtures/gateway.js';
import {
  clickLastNotification,
  liveRegion,
  permissionAsks,
  recordNotifications,
  shownNotifications,
} from './fixtures/notifications.js';
import { REMOTE_IP, RemoteDevice } from './fixtures/remote-device.js';
import { expectNoSidewaysScroll, goTo, signIn } from './fixtures/ui.js';

const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

/** A name with a right-to-left override: shown raw, it would reverse what follows it. */
const TRICKY_NAME = 'Anna\u202ephone';
const PRINTED_NAME = 'Anna\\u202ephone';

for (const colorScheme of ['light', 'dark'] as const) {
  for (const viewport of WIDTHS) {
    test(`at ${viewport.width} px (${colorScheme}) a pairing request raises a notification and an announcement; clicking it opens the request`, async ({
      page,
      context,
      gateway,
    }) => {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme });
      await context.grantPermissions(['notifications'], { origin: gateway.url });
      await recordNotifications(page);
      await signIn(page, gateway, '/gateway');
      await expect(page.getByRole('heading', { name: 'This browser' })).toBeVisible();
      await expect(
        page.getByRole('checkbox', { name: 'Notify me of new pairing requests' }),
      ).toBeChecked();
      await expectNoSidewaysScroll(page, `gateway ${viewport.width} ${colorScheme}`);
      expect(await permissionAsks(page)).toBe(0);

      const device = await RemoteDevice.create(gateway.wsUrl, gateway.token, TRICKY_NAME);
      try {
        const first = await device.connect();
        expect(first.ok).toBe(false);
        const requestId = first.ok ? '' : String(first.error.details?.requestId);

        await expect(liveRegion(page)).toContainText(`New pairing request from ${PRINTED_NAME}`);
        const shown = await shownNotifications(page);
        expect(shown).toEqual([
          {
            title: 'Pairing request',
            body: `${PRINTED_NAME} wants to connect from ${REMOTE_IP}.`,
            tag: `pairing-${requestId}`,
          },
        ]);

        await clickLastNotification(page);
        await expect(page).toHaveURL(new RegExp(`#/devices\\?request=${requestId}$`));
        const card = page.locator(`article[data-request-id="${requestId}"]`);
        await expect(card).toBeVisible();
        await expect(card).toHaveClass(/card-highlight/);
        await expectNoSidewaysScroll(page, `devices ${viewport.width} ${colorScheme}`);
      } finally {
        device.close();
      }
    });
  }
}

test('with notifications turned off, a request is still announced but raises no notification, after a reload too', async ({
  page,
  context,
  gateway,
}) => {
  await context.grantPermissions(['notifications'], { origin: gateway.url });
  await recordNotifications(page);
  await signIn(page, gateway, '/gateway');
  const setting = page.getByRole('checkbox', { name: 'Notify me of new pairing requests' });
  await expect(setting).toBeChecked();
  await setting.uncheck();
  await page.reload();
  await expect(setting).not.toBeChecked();

  const device = await RemoteDevice.create(gateway.wsUrl, gateway.token, 'Quiet tablet');
  try {
    await device.connect();
    await expect(liveRegion(page)).toContainText('New pairing request from Quiet tablet');
    // The announcement and a notification come from the same event handler.
    expect(await shownNotifications(page)).toEqual([]);
  } finally {
    device.close();
  }
});

test('Enable notifications on the Devices page asks for permission on the click, never on load', async ({
  page,
  gateway,
}) => {
  await recordNotifications(page, { promptAnswer: 'granted' });
  await signIn(page, gateway, '/devices');
  const enable = page.getByRole('button', { name: 'Enable notifications' });
  await expect(enable).toBeVisible();
  expect(await permissionAsks(page)).toBe(0);
  await expectNoSidewaysScroll(page, 'devices with the Enable notifications button');

  await enable.click();
  expect(await permissionAsks(page)).toBe(1);
  await expect(enable).toBeHidden();
  await expect(liveRegion(page)).toHaveText('Notifications on for new pairing requests');

  await goTo(page, '#/chat');
  const device = await RemoteDevice.create(gateway.wsUrl, gateway.token, 'Work laptop');
  try {
    await device.connect();
    await expect.poll(async () => (await shownNotifications(page)).length).toBe(1);
  } finally {
    device.close();
  }
});

test('in the desktop app’s window the tray notifies: no web notification, no Enable button', async ({
  browser,
  gateway,
}) => {
  const context = await browser.newContext({
    userAgent:
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) special-agent/0.1.0 Chrome/140.0.0.0 Electron/39.0.0 Safari/537.36',
  });
  try {
    await context.grantPermissions(['notifications'], { origin: gateway.url });
    const page = await context.newPage();
    await recordNotifications(page);
    await signIn(page, gateway, '/gateway');
    await expect(
      page.getByText('The desktop app notifies you of new pairing requests itself'),
    ).toBeVisible();
    await expect(
      page.getByRole('checkbox', { name: 'Notify me of new pairing requests' }),
    ).toHaveCount(0);
    await goTo(page, '#/devices');
    await expect(page.getByRole('button', { name: 'Pair a device' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Enable notifications' })).toHaveCount(0);

    await goTo(page, '#/chat');
    const device = await RemoteDevice.create(gateway.wsUrl, gateway.token, 'Desk phone');
    try {
      await device.connect();
      await expect(liveRegion(page)).toContainText('New pairing request from Desk phone');
      expect(await shownNotifications(page)).toEqual([]);
    } finally {
      device.close();
    }
  } finally {
    await context.close();
  }
});
