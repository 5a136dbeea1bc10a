/**
 * Issue 15 in the browser: a form saves on the `baseHash` of the config it was filled from,
 * so a change made meanwhile elsewhere (the CLI here) is never silently undone: the save is
 * refused, the form reloads and says so. And a provider with a key is saved all or nothing:
 * with no keychain the form keeps its input and the config file keeps every byte. A change
 * made on the same page (a key added) is not "elsewhere": the next save goes through.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { runCli } from './fixtures/cli.js';
import { expect, noKeychainHere, test } from './fixtures/gateway.js';
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

test('a key added on the Providers page, then the provider form saved: no conflict message, both are saved', async ({
  page,
  launchGateway,
}) => {
  test.skip(noKeychainHere(), 'skipped: no D-Bus session for the OS keychain (run npm test)');
  // A plaintext key in the file: storing the `default` key moves it out, so the add writes the file.
  const plaintext = 'sk-e2e-plaintext-0123456789';
  const gateway = await launchGateway({
    config: {
      models: {
        providers: {
          cloud: { type: 'openai', baseUrl: 'https://api.example.invalid/v1', apiKey: plaintext },
        },
      },
    },
  });
  await signIn(page, gateway, '/providers?edit=cloud');
  const form = page.getByRole('form', { name: 'Provider' });
  await expect(form.getByLabel('Base URL')).toHaveValue('https://api.example.invalid/v1');

  const keys = page.getByRole('region', { name: 'Keys of cloud' });
  await keys.getByRole('button', { name: 'Add a key' }).click();
  const addForm = keys.getByRole('form', { name: 'Add a key to cloud' });
  await addForm.getByLabel('Profile name').fill('default');
  await addForm.getByLabel('API key').fill('sk-e2e-stored-key-0123456789');
  await addForm.getByRole('button', { name: 'Save key' }).click();
  await expect(addForm.getByRole('status')).toHaveText(/Replaced “default”/);
  await expect
    .poll(async () => readFile(gateway.configFile, 'utf8'), { message: 'the plaintext key moved' })
    .not.toContain(plaintext);

  await form.getByLabel('Base URL').fill('https://api2.example.invalid/v1');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(
    form.getByRole('status').filter({ hasText: 'Saved.' }),
    'the save went through (no conflict)',
  ).toBeVisible();
  await expect(page.getByText(RELOADED), 'no conflict message').toHaveCount(0);
  const text = await readFile(gateway.configFile, 'utf8');
  expect(text, 'the provider change is saved').toContain('https://api2.example.invalid/v1');
  expect(text, 'the plaintext key stays out').not.toContain(plaintext);
});
