import { expect, test } from './fixtures/gateway.js';
import { signIn } from './fixtures/ui.js';

test.describe('Control UI sign-in', () => {
  test('signs in with the fragment token and removes it from the address bar', async ({ page, gateway }) => {
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

  test('shows the gateway’s own message for a wrong token', async ({ page, gateway }) => {
    await page.goto(`${gateway.url}/#token=not-the-token`);
    await expect(page.getByRole('alert')).toContainText('unauthorized: gateway token mismatch');
    expect(page.url()).not.toContain('not-the-token');
    await page.getByLabel('Gateway token').fill(gateway.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  });
});
