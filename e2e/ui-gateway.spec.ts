import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, noKeychainHere, test } from './fixtures/gateway.js';
import { signIn } from './fixtures/ui.js';

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

test.describe('Gateway page', () => {
  test('refuses an invalid CIDR in trusted proxies with a field error and leaves the config file unchanged', async ({
    page,
    gateway,
  }) => {
    await signIn(page, gateway, '/gateway');
    const before = await sha256(gateway.configFile);
    const proxies = page.getByRole('form', { name: 'Trusted proxies' });
    await expect(proxies.getByRole('textbox', { name: 'Trusted proxies entry 1' })).toHaveValue(
      '127.0.0.2',
    );

    await proxies.getByRole('button', { name: 'Add proxy' }).click();
    const entry = proxies.getByRole('textbox', { name: 'Trusted proxies entry 2' });
    await entry.fill('10.0.0.0/33');
    await proxies.getByRole('button', { name: 'Save trusted proxies' }).click();
    await expect(
      proxies.getByText('The prefix length must be a whole number from 0 to 32'),
    ).toBeVisible();
    await expect(entry).toHaveAttribute('aria-invalid', 'true');
    await entry.fill('300.1.2.3');
    await proxies.getByRole('button', { name: 'Save trusted proxies' }).click();
    await expect(proxies.getByText('"300.1.2.3" is not an IPv4 or IPv6 address')).toBeVisible();
    expect(await sha256(gateway.configFile)).toBe(before);

    // A valid block is saved surgically into the user's file.
    await entry.fill('fd00::/8');
    await proxies.getByRole('button', { name: 'Save trusted proxies' }).click();
    await expect(proxies.getByText('Saved')).toBeVisible();
    const text = await readFile(gateway.configFile, 'utf8');
    expect(text).toContain('fd00::/8');
    expect(text).toContain('// written by e2e/fixtures/gateway.ts');
  });

  test('refuses an origin with a path and says how to write it', async ({ page, gateway }) => {
    await signIn(page, gateway, '/gateway');
    const before = await sha256(gateway.configFile);
    const origins = page.getByRole('form', { name: 'Allowed origins' });
    await origins.getByRole('button', { name: 'Add origin' }).click();
    await origins
      .getByRole('textbox', { name: 'Allowed origins entry 1' })
      .fill('https://Example.com/app');
    await origins.getByRole('button', { name: 'Save allowed origins' }).click();
    await expect(origins.getByText('Write it exactly as https://example.com')).toBeVisible();
    expect(await sha256(gateway.configFile)).toBe(before);
  });

  test('rotating the token disconnects a second signed-in page with the gateway’s message', async ({
    page,
    browser,
    launchGateway,
  }) => {
    test.skip(noKeychainHere(), 'skipped: no D-Bus session for the OS keychain (run npm test)');
    // A token from the environment cannot be rotated; one in the config file moves to the keychain.
    const gateway = await launchGateway({ tokenSource: 'config' });
    const otherContext = await browser.newContext();
    const other = await otherContext.newPage();
    try {
      await signIn(other, gateway, '/devices');
      await signIn(page, gateway, '/gateway');
      await expect(
        page.getByText('Rotating the token disconnects every other session'),
      ).toBeVisible();
      await page.getByRole('button', { name: 'Rotate token' }).click();
      const dialog = page.getByRole('dialog', { name: 'Rotate the gateway token?' });
      await expect(dialog).toContainText(
        'Every other session signed in with the old token disconnects',
      );
      await dialog.getByRole('button', { name: 'Rotate token' }).click();
      await expect(page.getByText('Token rotated.')).toBeVisible();
      expect(await readFile(gateway.configFile, 'utf8')).not.toContain(gateway.token);

      await expect(other.getByRole('heading', { name: 'Signed out' })).toBeVisible();
      await expect(other.getByRole('alert')).toHaveText('gateway auth changed');
      await expect(other.getByLabel('Gateway token')).toBeVisible();
      // The page that rotated stays connected.
      await expect(page.getByText('Connected')).toBeVisible();
      await expect(page.getByRole('status').filter({ hasText: 'Disconnected' })).toHaveCount(0);
    } finally {
      await otherContext.close();
    }
  });

  test('shows live status and says when a port change needs a restart', async ({
    page,
    gateway,
  }) => {
    await signIn(page, gateway, '/gateway');
    const status = page.getByRole('region', { name: 'Status' });
    await expect(status).toContainText(`loopback:${gateway.port}`);
    await expect(status).toContainText('Connections');
    const network = page.getByRole('form', { name: 'Network' });
    await network.getByLabel('Port').fill('70000');
    await network.getByRole('button', { name: 'Save network settings' }).click();
    await expect(network.getByText('A port is at most 65535')).toBeVisible();
    await network.getByLabel('Port').fill('18999');
    await network.getByRole('button', { name: 'Save network settings' }).click();
    await expect(page.getByText('Saved. Restart the gateway to apply.')).toBeVisible();
    await expect(page.getByRole('region', { name: 'Network' })).toContainText('restart required');
  });
});
