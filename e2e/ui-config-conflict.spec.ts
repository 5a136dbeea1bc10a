/**
 * Issue 15 in the browser: a form saves on the `baseHash` of the config it was filled from,
 * so a change made meanwhile elsewhere (the CLI here) is never silently undone: the save is
 * refused, the form reloads and says so. And a provider with a key is saved all or nothing:
 * with no keychain the form keeps its input and the config file keeps every byte.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { runCli } from './fixtures/cli.js';
import { expect, test } from './fixtures/gateway.js';
import { signIn } from './fixtures/ui.js';

const RELOADED =
  'The config file changed since this form was loaded (another window or the CLI saved it). The form now shows the saved values; make your change again.';

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

test('a save over a change made elsewhere since the form loaded is refused, the form reloads and says so, and the other change stays', async ({
  page,
  gateway,
}) => {
  await signIn(page, gateway, '/gateway');
  const proxies = page.getByRole('form', { name: 'Trusted proxies' });
  await expect(proxies.getByRole('textbox', { name: 'Trusted proxies entry 1' })).toHaveValue(
    '127.0.0.2',
  );
  // Behind the form's back: the CLI changes the same list.
  const cli = await runCli(
    ['configure', 'set', 'gateway.trustedProxies', '["127.0.0.2","10.9.9.9"]'],
    gateway,
  );
  expect(cli.code, `configure set: ${cli.stderr}`).toBe(0);

  await proxies.getByRole('button', { name: 'Add proxy' }).click();
  await proxies.getByRole('textbox', { name: 'Trusted proxies entry 2' }).fill('10.1.1.1');
  await proxies.getByRole('button', { name: 'Save trusted proxies' }).click();
  await expect(proxies.getByRole('alert')).toHaveText(RELOADED);
  // The form shows the list as saved now: the CLI's entry, not the refused one.
  await expect(proxies.getByRole('textbox', { name: 'Trusted proxies entry 2' })).toHaveValue(
    '10.9.9.9',
  );
  const text = await readFile(gateway.configFile, 'utf8');
  expect(text, 'the CLI’s change is kept').toContain('10.9.9.9');
  expect(text, 'the refused save wrote nothing').not.toContain('10.1.1.1');

  // Made again on the reloaded form, the change goes through and keeps the CLI's.
  await proxies.getByRole('button', { name: 'Add proxy' }).click();
  await proxies.getByRole('textbox', { name: 'Trusted proxies entry 3' }).fill('10.1.1.1');
  await proxies.getByRole('button', { name: 'Save trusted proxies' }).click();
  await expect(proxies.getByText('Saved')).toBeVisible();
  const after = await readFile(gateway.configFile, 'utf8');
  expect(after).toContain('10.9.9.9');
  expect(after).toContain('10.1.1.1');
});

test('with no keychain, adding a provider with a key keeps the form, the typed key and the type, says what to do, and writes nothing', async ({
  page,
  launchGateway,
}) => {
  // A D-Bus address nobody listens on: the gateway cannot reach any keychain.
  const gateway = await launchGateway({
    env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/special-agent-e2e-no-bus' },
  });
  const before = await sha256(gateway.configFile);
  const key = 'sk-e2e-never-stored-0123456789';
  await signIn(page, gateway, '/providers?add=1');
  const form = page.getByRole('form', { name: 'Provider' });
  await form.getByLabel('Type').selectOption('anthropic');
  await form.getByLabel('Provider id').fill('claude');
  await form.getByLabel('Base URL').fill('https://api.example.invalid/v1');
  await form.getByLabel('API key').fill(key);
  await form.getByRole('button', { name: 'Add provider' }).click();

  const alert = form.getByRole('alert');
  await expect(alert).toContainText(/^The OS keychain is not available: unlock it/);
  await expect(alert).toContainText('nothing was saved.');
  await expect(alert).not.toContainText(key);
  await expect(form.getByLabel('Type')).toHaveValue('anthropic');
  await expect(form.getByLabel('Provider id')).toHaveValue('claude');
  await expect(form.getByLabel('Base URL')).toHaveValue('https://api.example.invalid/v1');
  await expect(form.getByLabel('API key'), 'the typed key, ready for a retry').toHaveValue(key);
  expect(await sha256(gateway.configFile), 'the config file is unchanged').toBe(before);
});
