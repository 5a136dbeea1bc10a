/**
 * Auth profiles on the Providers page: adding keys (write-only), their state after a chat
 * run fails over from a rejected key, reordering, removing, and a canary check that no key
 * reaches the page, its storage, a received frame or a screenshot.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import JSON5 from 'json5';
import {
  startFakeProvider,
  type FakeProvider,
} from '../src/main/providers/fake-provider.test-support.js';
import { expect, noKeychainHere, test } from './fixtures/gateway.js';
import { goTo, screenshot, signIn } from './fixtures/ui.js';

/** Everything the page holds that a key must never reach: DOM, input values, web storage. */
function pageState(page: Page): Promise<string> {
  return page.evaluate(() =>
    JSON.stringify({
      html: document.documentElement.outerHTML,
      text: document.body.innerText,
      values: [...document.querySelectorAll('input, textarea, select')].map(
        (element) => (element as HTMLInputElement).value,
      ),
      local: { ...localStorage },
      session: { ...sessionStorage },
    }),
  );
}

test.describe('Auth profiles on the Providers page', () => {
  test.skip(noKeychainHere(), 'skipped: no D-Bus session for the OS keychain (run npm test)');
  const goodKey = `sk-e2e-good-${randomBytes(12).toString('hex')}`;
  const badKey = `sk-e2e-bad-${randomBytes(12).toString('hex')}`;
  let fake: FakeProvider;
  test.beforeEach(async () => {
    // Only the good key is accepted: any other gets a 401.
    fake = await startFakeProvider('openai', {
      keys: { [goodKey]: 'ok' },
      models: [{ id: 'model-a' }],
      deltas: ['Answered'],
      pauseMs: 0,
    });
  });
  test.afterEach(async () => {
    await fake.close();
  });

  test('shows each key’s state after a rejected key fails over, reorders and removes keys, and never shows a key', async ({
    page,
    launchGateway,
  }) => {
    const gateway = await launchGateway({
      config: {
        models: { providers: { fake: { type: 'openai', baseUrl: fake.baseUrl } } },
        agents: { list: [{ id: 'main', model: { provider: 'fake', name: 'model-a' } }] },
      },
    });
    const received: string[] = [];
    page.on('websocket', (socket) =>
      socket.on('framereceived', (frame) => received.push(String(frame.payload))),
    );
    await signIn(page, gateway, '/providers');
    const keys = page.getByRole('region', { name: 'Keys of fake' });
    await keys.getByRole('button', { name: 'Add a key' }).click();
    const addForm = keys.getByRole('form', { name: 'Add a key to fake' });
    // Names sort "alpha" before "beta", so the rejected key is tried first.
    for (const [name, key] of [
      ['alpha', badKey],
      ['beta', goodKey],
    ] as const) {
      await addForm.getByLabel('Profile name').fill(name);
      const keyInput = addForm.getByLabel('API key');
      await expect(keyInput).toHaveAttribute('type', 'password');
      await keyInput.fill(key);
      await addForm.getByRole('button', { name: 'Save key' }).click();
      await expect(keys.getByRole('listitem', { name: `Key ${name}` })).toContainText(
        `…${key.slice(-4)}`,
      );
      await expect(keyInput).toHaveValue('');
    }
    const rows = keys.getByRole('listitem');
    const names = () =>
      rows.evaluateAll((items) => items.map((item) => item.getAttribute('aria-label')));
    await expect.poll(names).toEqual(['Key alpha', 'Key beta']);

    await goTo(page, '#/chat');
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('Hello');
    await input.press('Enter');
    const log = page.getByRole('log', { name: 'Messages' });
    await expect(log.getByText('Answered by fake · model-a · beta')).toBeVisible();

    await goTo(page, '#/providers');
    const alpha = keys.getByRole('listitem', { name: 'Key alpha' });
    const beta = keys.getByRole('listitem', { name: 'Key beta' });
    await expect(alpha.getByText('disabled: key rejected')).toBeVisible();
    await expect(alpha).toContainText('HTTP 401');
    await expect(beta.getByText('ready', { exact: true })).toBeVisible();
    await expect(beta).toContainText('last used just now');

    await beta.getByRole('button', { name: 'Move beta up' }).click();
    await expect.poll(names).toEqual(['Key beta', 'Key alpha']);
    const readOrder = async () =>
      JSON5.parse<{ models: { providers: { fake: { auth?: { order: string[] } } } } }>(
        await readFile(gateway.configFile, 'utf8'),
      ).models.providers.fake.auth?.order;
    await expect.poll(readOrder).toEqual(['beta', 'alpha']);
    await expect(keys.getByRole('button', { name: 'Move beta up' })).toBeDisabled();

    // The canary: neither key is in the page, its storage, a frame, or the screenshot's DOM.
    await screenshot(page, 'providers-profiles-canary');
    const state = await pageState(page);
    for (const key of [goodKey, badKey]) {
      expect(state).not.toContain(key);
      expect(received.filter((frame) => frame.includes(key))).toEqual([]);
    }

    await alpha.getByRole('button', { name: 'Remove alpha' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove key' }).click();
    await expect.poll(names).toEqual(['Key beta']);
    await expect.poll(readOrder).toEqual(['beta']);
  });
});
