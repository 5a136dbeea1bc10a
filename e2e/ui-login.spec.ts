import { expect, test } from './fixtures/gateway.js';
import { signIn } from './fixtures/ui.js';

test.describe('Control UI sign-in', () => {
  test('signs in with the fragment token and removes it from the address bar', async ({
    page,
    gateway,
  }) => {
    await signIn(page, gateway);
    expect(page.url()).not.toContain(gateway.token);
    expect(page.url()).not.toContain('token=');
    // The token moved to sessionStorage for this tab; localStorage never holds it.
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('special-agent.token'),
      local: JSON.stringify({ ...localStorage }),
    }));
    expect(stored.session).toBe(gateway.token);
    expect(stored.local).not.toContain(gateway.token);
    await expect(page.getByText('Connected')).toBeVisible();
  });

  test('keeps the route of a deep link and strips only the token', async ({ page, gateway }) => {
    await signIn(page, gateway, '/devices?request=abc');
    await expect(page.getByRole('heading', { name: 'Devices', level: 1 })).toBeVisible();
    expect(new URL(page.url()).hash).toBe('#/devices?request=abc');
  });

  test('a first visit without a token greets calmly: the command, a token field, no error', async ({
    page,
    gateway,
  }) => {
    await page.goto(`${gateway.url}/`);
    const card = page.getByRole('region', { name: 'Sign in to the gateway' });
    await expect(card).toBeVisible();
    await expect(card.locator('pre')).toHaveText('special-agent dashboard');
    await expect(card).toContainText('opens a signed-in link');
    await expect(card).toContainText('The gateway token is in your OS keychain');
    await expect(page.getByLabel('Gateway token')).toBeVisible();
    // The gateway did answer (AUTH_TOKEN_MISSING), yet nothing is shown as an error.
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await expect(page.locator('.note-danger, .field-error')).toHaveCount(0);
    await expect(card).not.toContainText('missing');

    // An attempt with nothing typed is the person's first error, shown at the field.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('.field-error')).toHaveText('Enter the gateway token');
    await page.getByLabel('Gateway token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('gateway token mismatch');
  });

  test('shows the gateway’s own message for a wrong token', async ({ page, gateway }) => {
    await page.goto(`${gateway.url}/#token=not-the-token`);
    await expect(page.getByRole('alert')).toContainText('unauthorized: gateway token mismatch');
    expect(page.url()).not.toContain('not-the-token');
    await page.getByLabel('Gateway token').fill(gateway.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  });

  test('shows “Gateway stopped” while the gateway is down and reconnects by itself when it is back', async ({
    page,
    gateway,
  }) => {
    await signIn(page, gateway, '/devices');
    const banner = page.getByRole('status').filter({ hasText: 'Gateway stopped' });
    const restarting = gateway.restart();
    await expect(banner).toBeVisible();
    await expect(page.getByText('Offline')).toBeVisible();
    await restarting;
    // Backoff is capped at 10 s, so the reconnect lands well within this.
    await expect(banner).toBeHidden({ timeout: 15_000 });
    await expect(page.getByText('Connected')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Paired devices (1)' })).toBeVisible();
  });

  // Password mode: a loopback browser on the gateway's own origin is never locked out in
  // token mode (a 32-byte token cannot be guessed), but passwords can be.
  test('counts down after too many wrong passwords (AUTH_RATE_LIMITED)', async ({
    page,
    launchGateway,
  }) => {
    const gateway = await launchGateway({
      config: { gateway: { auth: { mode: 'password' } } },
      env: { SPECIAL_AGENT_GATEWAY_PASSWORD: 'correct horse battery staple' },
    });
    await page.goto(`${gateway.url}/`);
    const input = page.getByLabel('Gateway password');
    await expect(page.getByRole('alert')).toHaveCount(0);
    const signInButton = page.getByRole('button', { name: 'Sign in' });
    for (
      let attempt = 0;
      attempt < 11 && !(await page.getByText('Try again in').isVisible());
      attempt++
    ) {
      await input.fill(`wrong-${attempt}`);
      await signInButton.click();
      await expect(page.getByRole('alert')).toContainText(/mismatch|too many/);
    }
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('too many failed attempts');
    await expect(alert).toContainText(/Try again in [0-9]:[0-5][0-9]/);
    await expect(signInButton).toBeDisabled();
  });
});
