/**
 * Every page at a desktop (1280 px) and a phone (390 px) width, in both themes: none may
 * scroll sideways, and each is saved under test-results/screenshots/ for review.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { startFakeProvider as startKeyedProvider } from '../src/main/providers/fake-provider.test-support.js';
import { expect, noKeychainHere, test } from './fixtures/gateway.js';
import { startFakeProvider } from './fixtures/fake-provider.js';
import { RemoteDevice } from './fixtures/remote-device.js';
import { expectNoSidewaysScroll, goTo, screenshot, signIn } from './fixtures/ui.js';

const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

/** Keys of the `keyed` provider: one works, one is rate limited, any other is rejected. */
const WORK_KEY = `sk-shot-work-${randomBytes(8).toString('hex')}`;
const BUSY_KEY = `sk-shot-busy-${randomBytes(8).toString('hex')}`;
const OLD_KEY = `sk-shot-old-${randomBytes(8).toString('hex')}`;

const CONFIG = (baseUrl: string, keyedUrl: string) => ({
  models: {
    providers: {
      ollama: { type: 'openai', baseUrl, models: ['llama3.2', 'qwen2.5'] },
      anthropic: { type: 'anthropic', baseUrl: 'https://api.anthropic.com/v1' },
      keyed: { type: 'openai', baseUrl: keyedUrl },
    },
  },
  agents: {
    default: 'main',
    list: [
      { id: 'main', name: 'Main', model: { provider: 'ollama', name: 'llama3.2' } },
      { id: 'writer', model: { provider: 'anthropic', name: 'claude-sonnet-4-5' } },
    ],
  },
});

for (const colorScheme of ['light', 'dark'] as const) {
  for (const viewport of WIDTHS) {
    const tag = `${viewport.width}-${colorScheme}`;
    test(`at ${viewport.width} px in the ${colorScheme} theme every page fits the window (screenshots saved)`, async ({
      page,
      launchGateway,
    }) => {
      const fake = await startFakeProvider({
        deltas: ['Here is a list:\n\n- **one**\n- `two`\n\n```js\nconsole.log(3)\n```'],
      });
      const keyed = await startKeyedProvider('openai', {
        keys: { [WORK_KEY]: 'ok', [BUSY_KEY]: { status: 429, retryAfter: '600' } },
        models: [{ id: 'gpt-local' }, { id: 'gpt-local-mini' }],
        deltas: ['Answered with the **work** key.'],
        pauseMs: 0,
      });
      const withKeys = !noKeychainHere();
      const devices: RemoteDevice[] = [];
      try {
        const gateway = await launchGateway({ config: CONFIG(fake.baseUrl, keyed.baseUrl) });
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme });
        const shoot = async (name: string) => {
          await expectNoSidewaysScroll(page, name);
          await screenshot(page, `${name}-${tag}`);
        };

        await page.goto(`${gateway.url}/`);
        await expect(page.getByLabel('Gateway token')).toBeVisible();
        await shoot('login');
        await page.goto(`${gateway.url}/#token=wrong-token`);
        await expect(page.getByRole('alert')).toBeVisible();
        await shoot('login-error');
        // A dashboard link opened a second time (here: a code that never existed).
        await page.goto(`${gateway.url}/#invite=${'A'.repeat(22)}`);
        await expect(
          page.getByRole('region', { name: 'This link was already used' }),
        ).toBeVisible();
        await shoot('invite-used');

        await signIn(page, gateway, '/devices');
        await pairRemoteDevices(page, gateway.wsUrl, gateway.token, devices);
        await shoot('devices');
        await page.getByRole('button', { name: 'Actions for Work laptop' }).click();
        await expect(page.getByRole('menu')).toBeVisible();
        await shoot('devices-menu');
        await page.keyboard.press('Escape');
        await page.getByRole('button', { name: 'Pair a device' }).click();
        await page.getByRole('textbox', { name: 'Label' }).fill('Anna’s phone');
        await shoot('devices-invite-form');
        await page.getByRole('button', { name: 'Create link' }).click();
        await expect(page.getByRole('img', { name: /QR code of the setup link/ })).toBeVisible();
        await shoot('devices-invite');

        await goTo(page, '#/providers');
        await expect(page.getByRole('listitem', { name: 'Provider ollama' })).toBeVisible();
        await page.getByRole('button', { name: 'Test connection to ollama' }).click();
        await expect(page.getByText(/^ok · /)).toBeVisible();
        await shoot('providers');

        await goTo(page, '#/providers?add=1');
        await page.getByRole('button', { name: 'Add provider' }).click();
        await expect(page.getByText('Give the provider an id')).toBeVisible();
        await shoot('provider-form');

        await goTo(page, '#/agents');
        await expect(page.getByRole('form', { name: 'Model of agent writer' })).toBeVisible();
        await shoot('agents');

        await goTo(page, '#/gateway');
        await expect(page.getByRole('region', { name: 'Status' })).toContainText('Uptime');
        await shoot('gateway');

        if (withKeys) await addKeys(page);

        await goTo(page, '#/chat');
        await page.getByRole('textbox', { name: 'Message' }).fill('Show me a list');
        await page.getByRole('button', { name: 'Send' }).click();
        await expect(page.getByRole('log').locator('pre')).toBeVisible();
        await shoot('chat');
        if (withKeys) {
          await chatWithKeyedProvider(page);
          await shoot('chat-sessions');
          if (viewport.width < 900) {
            await page.getByRole('button', { name: /^Chats/ }).click();
            await expect(page.getByRole('navigation', { name: 'Chats' })).toBeVisible();
            await shoot('chat-sessions-open');
          }
          await goTo(page, '#/providers');
          const keys = page.getByRole('region', { name: 'Keys of keyed' });
          await expect(keys.getByText('disabled: key rejected')).toBeVisible();
          await expect(keys.getByText(/^cooldown until/)).toBeVisible();
          const html = await page.content();
          for (const key of [WORK_KEY, BUSY_KEY, OLD_KEY]) expect(html).not.toContain(key);
          await shoot('providers-profiles');
        }
      } finally {
        for (const device of devices) device.close();
        await fake.close();
        await keyed.close();
      }
    });
  }
}

/** One device paired through the UI (with an active token) and one still waiting. */
async function pairRemoteDevices(
  page: Page,
  wsUrl: string,
  token: string,
  devices: RemoteDevice[],
): Promise<void> {
  const laptop = await RemoteDevice.create(wsUrl, token, 'Work laptop', [
    'operator.read',
    'operator.write',
    'operator.pairing',
  ]);
  devices.push(laptop);
  await laptop.connect();
  const card = page.getByRole('article', { name: 'Pairing request from Work laptop' });
  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card).toBeHidden();
  expect((await laptop.connect()).ok).toBe(true);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.getByText('active')).toHaveCount(2);

  const phone = await RemoteDevice.create(wsUrl, token, 'Pixel 9', ['operator.admin']);
  devices.push(phone);
  await phone.connect();
  await expect(page.getByRole('article', { name: 'Pairing request from Pixel 9' })).toBeVisible();
}

/** Three keys for `keyed`, added in the UI; "busy" and "old" sort before "work". */
async function addKeys(page: Page): Promise<void> {
  await goTo(page, '#/providers');
  const keys = page.getByRole('region', { name: 'Keys of keyed' });
  await keys.getByRole('button', { name: 'Add a key' }).click();
  const form = keys.getByRole('form', { name: 'Add a key to keyed' });
  for (const [name, key] of [
    ['busy', BUSY_KEY],
    ['old', OLD_KEY],
    ['work', WORK_KEY],
  ] as const) {
    await form.getByLabel('Profile name').fill(name);
    await form.getByLabel('API key').fill(key);
    await form.getByRole('button', { name: 'Save key' }).click();
    await expect(page.getByRole('listitem', { name: `Key ${name}` })).toBeVisible();
  }
}

/**
 * A second chat, answered by `keyed` through a per-chat override: "busy" is rate limited
 * (cooldown), "old" rejected (disabled), "work" answers. Its long title shows wrapping.
 */
async function chatWithKeyedProvider(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.getByRole('button', { name: 'Change model' }).click();
  const picker = page.getByRole('form', { name: 'Model for this chat' });
  await picker.getByLabel('Provider').selectOption('keyed');
  await picker.getByRole('button', { name: 'Use for this chat' }).click();
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill('Which key answered? Please say it in a sentence that is long enough to wrap');
  await input.press('Enter');
  await expect(page.getByText('Answered by keyed · gpt-local · work')).toBeVisible();
}
