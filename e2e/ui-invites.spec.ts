/**
 * Invites in the Control UI (DESIGN.md "Remote devices"): the dashboard link is a
 * single-use invite, "Pair a device" makes a QR code a remote device pairs with, and a
 * request can be ignored, unignored, and a device renamed.
 */
import type { Page } from '@playwright/test';
import { runCli } from './fixtures/cli.js';
import { expect, test } from './fixtures/gateway.js';
import { RemoteDevice } from './fixtures/remote-device.js';
import { signIn } from './fixtures/ui.js';

/** Everything the page printed to its console. */
function consoleOf(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (message) => lines.push(message.text()));
  page.on('pageerror', (error) => lines.push(error.message));
  return lines;
}

test.describe('The dashboard link', () => {
  test('signs the Control UI in once; the same link again says it was used; the token shows nowhere', async ({
    page,
    browser,
    gateway,
  }) => {
    const cli = await runCli(['dashboard', '--no-open', '--json'], gateway);
    expect(cli.code, cli.stderr).toBe(0);
    const { url } = JSON.parse(cli.stdout) as { url: string; expiresAtMs: number };
    expect(url).toMatch(new RegExp(`^${gateway.url}/#invite=[A-Za-z0-9_-]{22}$`));
    const code = new URL(url).hash.replace('#invite=', '');

    const firstLog = consoleOf(page);
    await page.goto(url);
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
    // The code left the address bar at once, and is kept nowhere.
    expect(page.url()).not.toContain(code);
    const stored = await page.evaluate(() => ({
      local: Object.entries(localStorage),
      session: Object.entries(sessionStorage),
    }));
    expect(JSON.stringify(stored)).not.toContain(code);
    // The device token, and the scopes it was issued with (no secret: what pages may call).
    expect(Object.fromEntries(stored.local)).toEqual({
      [`special-agent.deviceToken:${gateway.url}`]: expect.any(String),
      [`special-agent.deviceScopes:${gateway.url}`]: JSON.stringify(['operator.admin']),
    });
    // From now on this browser uses its own device token: a reload stays signed in.
    await page.reload();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();

    const other = await browser.newContext();
    try {
      const second = await other.newPage();
      const secondLog = consoleOf(second);
      await second.goto(url);
      const screen = second.getByRole('region', { name: 'This link was already used' });
      await expect(screen).toBeVisible();
      await expect(screen).toContainText(
        'This link was already used (or has expired); run special-agent dashboard again',
      );
      // Calm: no red error, no retry countdown.
      await expect(second.getByRole('alert')).toHaveCount(0);
      await expect(second.locator('.note-danger')).toHaveCount(0);
      await expect(second.getByText(/Trying again/)).toHaveCount(0);
      expect(second.url()).not.toContain(code);

      // "Sign in another way" leads to the calm sign-in page (this browser holds nothing).
      await screen.getByRole('button', { name: 'Sign in another way' }).click();
      await expect(second.getByRole('region', { name: 'Sign in to the gateway' })).toBeVisible();

      const seen = [
        cli.stdout,
        cli.stderr,
        await page.locator('body').innerText(),
        await second.locator('body').innerText(),
        firstLog.join('\n'),
        secondLog.join('\n'),
        gateway.output(),
      ];
      for (const text of seen) expect(text).not.toContain(gateway.token);
    } finally {
      await other.close();
    }
  });
});

test.describe('Pair a device', () => {
  test('shows a QR code; a remote device using its code is paired live and the card says so', async ({
    page,
    gateway,
  }) => {
    await signIn(page, gateway, '/devices');
    await page.getByRole('button', { name: 'Pair a device' }).click();
    const scopes = page.getByRole('group', { name: 'The device may' });
    await expect(scopes.getByRole('checkbox', { name: 'operator.read' })).toBeChecked();
    await expect(scopes.getByRole('checkbox', { name: 'operator.write' })).toBeChecked();
    // This browser holds admin, so it may grant the optional scopes too.
    await expect(scopes.getByRole('checkbox', { name: 'operator.pairing' })).not.toBeChecked();
    await expect(scopes.getByRole('checkbox', { name: 'operator.pairing' })).toBeEnabled();
    await expect(page.getByLabel('Link works for')).toHaveValue('10');
    await page.getByRole('textbox', { name: 'Label' }).fill('Kitchen phone');
    await page.getByRole('button', { name: 'Create link' }).click();

    const card = page.getByRole('article', { name: 'Invite Kitchen phone' });
    const qr = card.getByRole('img', { name: /QR code of the setup link/ });
    await expect(qr).toBeVisible();
    expect(await qr.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);
    await expect(card.locator('.countdown')).toHaveText(/^(10:00|9:[0-5]\d)$/);
    const setupUrl = await card.getByRole('textbox', { name: 'Setup link' }).inputValue();
    expect(setupUrl).toMatch(new RegExp(`^${gateway.url}/#invite=[A-Za-z0-9_-]{22}$`));
    await expect(page.getByRole('listitem', { name: 'Open invite Kitchen phone' })).toBeVisible();

    const phone = await RemoteDevice.create(gateway.wsUrl, gateway.token, 'E2E phone');
    try {
      const outcome = await phone.connect({
        bootstrapToken: new URL(setupUrl).hash.replace('#invite=', ''),
      });
      expect(outcome.ok).toBe(true);
      // No reload: device.paired updates the list and the card.
      await expect(page.getByRole('row', { name: /E2E phone/ })).toBeVisible({ timeout: 2000 });
      await expect(card).toContainText('Paired: E2E phone', { timeout: 2000 });
      await expect(card.getByRole('img')).toHaveCount(0);
      await expect(page.getByRole('listitem', { name: 'Open invite Kitchen phone' })).toHaveCount(
        0,
      );
    } finally {
      phone.close();
    }
  });

  test('Revoke makes the code pair nothing', async ({ page, gateway }) => {
    await signIn(page, gateway, '/devices');
    await page.getByRole('button', { name: 'Pair a device' }).click();
    await page.getByRole('button', { name: 'Create link' }).click();
    const card = page.getByRole('article', { name: 'Invite New device' });
    const setupUrl = await card.getByRole('textbox', { name: 'Setup link' }).inputValue();
    await card.getByRole('button', { name: 'Revoke' }).click();
    await expect(card).toContainText('Revoked');

    const phone = await RemoteDevice.create(gateway.wsUrl, gateway.token, 'E2E late phone');
    try {
      const outcome = await phone.connect({
        bootstrapToken: new URL(setupUrl).hash.replace('#invite=', ''),
      });
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error.detailCode).toBe('INVITE_INVALID');
    } finally {
      phone.close();
    }
  });
});

test.describe('Ignore and rename', () => {
  test('Ignore moves a request to Ignored devices; Unignore lets it ask again; Rename renames', async ({
    page,
    gateway,
  }) => {
    await signIn(page, gateway, '/devices');
    const device = await RemoteDevice.create(gateway.wsUrl, gateway.token, 'E2E stranger');
    try {
      expect((await device.connect()).ok).toBe(false);
      const request = page.getByRole('article', { name: 'Pairing request from E2E stranger' });
      await expect(request).toBeVisible({ timeout: 2000 });
      await request.getByRole('button', { name: 'Ignore' }).click();
      await expect(request).toBeHidden();
      const ignored = page.getByRole('listitem', { name: 'Ignored device E2E stranger' });
      await expect(ignored).toBeVisible();

      // Ignored: its next connect makes no request.
      const quiet = await device.connect();
      expect(quiet.ok).toBe(false);
      if (!quiet.ok) expect(quiet.error.detailCode).toBe('PAIRING_REQUIRED');
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(page.getByText('No pending requests')).toBeVisible();

      await ignored.getByRole('button', { name: 'Unignore E2E stranger' }).click();
      await expect(ignored).toBeHidden();
      expect((await device.connect()).ok).toBe(false);
      await expect(request).toBeVisible({ timeout: 2000 });
      await request.getByRole('button', { name: 'Approve' }).click();
      await expect(request).toBeHidden();

      await page.getByRole('button', { name: 'Actions for E2E stranger' }).click();
      await page.getByRole('menuitem', { name: 'Rename…' }).click();
      const dialog = page.getByRole('dialog', { name: /Rename/ });
      await dialog.getByRole('textbox', { name: 'Name' }).fill('Hall tablet');
      await dialog.getByRole('button', { name: 'Rename' }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByRole('row', { name: /Hall tablet/ })).toBeVisible();
      await expect(page.getByRole('row', { name: /E2E stranger/ })).toHaveCount(0);
    } finally {
      device.close();
    }
  });
});
