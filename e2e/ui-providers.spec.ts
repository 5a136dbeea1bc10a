import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { expect, noKeychainHere, test } from './fixtures/gateway.js';
import { startFakeProvider, type FakeProvider } from './fixtures/fake-provider.js';
import { signIn } from './fixtures/ui.js';

const run = promisify(execFile);

/** The keychain service of a test home (DESIGN.md "Secrets": not the default home's). */
function serviceOf(home: string): string {
  const hash = createHash('sha256').update(realpathSync.native(home)).digest('hex');
  return `special-agent@${hash.slice(0, 12)}`;
}

/** The key as the real Secret Service holds it for `home`, or undefined when there is none. */
async function keychainLookup(home: string, providerId: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('secret-tool', [
      'lookup',
      'service',
      serviceOf(home),
      'username',
      `provider:${providerId}`,
    ]);
    return stdout;
  } catch {
    return undefined;
  }
}

/** Everything the page holds that a key must never reach: DOM, input values, web storage. */
async function pageState(page: Page): Promise<string> {
  return page.evaluate(() =>
    JSON.stringify({
      html: document.documentElement.outerHTML,
      values: [...document.querySelectorAll('input, textarea, select')].map(
        (e) => (e as HTMLInputElement).value,
      ),
      local: { ...localStorage },
      session: { ...sessionStorage },
    }),
  );
}

const hasSecretService = !noKeychainHere();

test.describe('Providers page', () => {
  test.skip(!hasSecretService, 'skipped: no D-Bus session for the OS keychain (run npm test)');
  let fake: FakeProvider;
  const goodKey = `sk-e2e-good-${randomBytes(12).toString('hex')}`;
  const badKey = `sk-e2e-wrong-${randomBytes(12).toString('hex')}`;

  test.beforeEach(async () => {
    fake = await startFakeProvider({ acceptKey: goodKey });
  });
  test.afterEach(async () => {
    await fake.close();
  });

  test('adds a provider whose key goes to the OS keychain and never back to the page; Test connection says ok, then rejected', async ({
    page,
    gateway,
  }) => {
    const id = `fake-${randomBytes(3).toString('hex')}`;
    const received: string[] = [];
    page.on('websocket', (socket) =>
      socket.on('framereceived', (frame) => received.push(String(frame.payload))),
    );
    await signIn(page, gateway, '/providers');
    await expect(page.getByText('No providers yet')).toBeVisible();
    await page.getByRole('link', { name: 'Add provider' }).click();
    const form = page.getByRole('form', { name: 'Provider' });

    // Client-side validation: field errors, nothing sent.
    await form.getByLabel('Provider id').fill('Not Valid!');
    await form.getByRole('button', { name: 'Add provider' }).click();
    await expect(form.getByText('Use lowercase letters')).toBeVisible();
    await expect(form.getByText('Enter the API base URL')).toBeVisible();
    await expect(form.getByLabel('Base URL')).toHaveAttribute('aria-invalid', 'true');

    await form.getByLabel('Provider id').fill(id);
    await form.getByLabel('Base URL').fill(fake.baseUrl);
    await form.getByLabel('Models (optional)').fill('fake-model');
    const keyInput = form.getByLabel('API key');
    await expect(keyInput).toHaveAttribute('type', 'password');
    await expect(keyInput).toHaveAttribute('autocomplete', 'off');
    await keyInput.fill(goodKey);
    await form.getByRole('button', { name: 'Add provider' }).click();

    const stored = page.getByTestId('key-status');
    await expect(stored).toHaveText(`stored in OS keychain · …${goodKey.slice(-4)}`);
    expect(await keychainLookup(gateway.home, id)).toBe(goodKey);
    await expect(page.getByRole('form', { name: 'Provider' }).getByLabel('API key')).toHaveCount(0);

    const editForm = page.getByRole('form', { name: 'Provider' });
    await editForm.getByRole('button', { name: `Test connection to ${id}` }).click();
    await expect(
      editForm.getByRole('status').filter({ hasText: /^ok · \d+ ms Found 1 model$/ }),
    ).toBeVisible();

    await editForm.getByRole('button', { name: 'Replace' }).click();
    await editForm.getByLabel('API key').fill(badKey);
    await editForm.getByRole('button', { name: 'Save changes' }).click();
    await expect(stored).toHaveText(`stored in OS keychain · …${badKey.slice(-4)}`);
    expect(await keychainLookup(gateway.home, id)).toBe(badKey);
    await editForm.getByRole('button', { name: `Test connection to ${id}` }).click();
    await expect(editForm.getByRole('status').filter({ hasText: /^rejected/ })).toBeVisible();
    expect(fake.authHeaders).toContain(`Bearer ${goodKey}`);
    expect(fake.authHeaders).toContain(`Bearer ${badKey}`);

    // Neither key ever came back: not in the DOM, inputs, web storage or any received frame.
    const state = await pageState(page);
    expect(received.length).toBeGreaterThan(5);
    for (const key of [goodKey, badKey]) {
      expect(state).not.toContain(key);
      expect(received.filter((frame) => frame.includes(key))).toEqual([]);
    }

    // Removing the provider deletes its keychain entry too.
    await page.getByRole('button', { name: `Remove ${id}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove provider' }).click();
    await expect(page.getByText('No providers yet')).toBeVisible();
    expect(await keychainLookup(gateway.home, id)).toBeUndefined();
  });
});
