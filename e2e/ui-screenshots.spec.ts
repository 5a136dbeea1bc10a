/**
 * Every page at a desktop (1280 px) and a phone (390 px) width, in both themes: none may
 * scroll sideways, and each is saved under test-results/screenshots/ for review.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/gateway.js';
import { startFakeProvider } from './fixtures/fake-provider.js';
import { RemoteDevice } from './fixtures/remote-device.js';
import { expectNoSidewaysScroll, goTo, screenshot, signIn } from './fixtures/ui.js';

const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

const CONFIG = (baseUrl: string) => ({
  models: {
    providers: {
      ollama: { type: 'openai', baseUrl, models: ['llama3.2', 'qwen2.5'] },
      anthropic: { type: 'anthropic', baseUrl: 'https://api.anthropic.com/v1' },
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
      const devices: RemoteDevice[] = [];
      try {
        const gateway = await launchGateway({ config: CONFIG(fake.baseUrl) });
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

        await goTo(page, '#/chat');
        await page.getByRole('textbox', { name: 'Message' }).fill('Show me a list');
        await page.getByRole('button', { name: 'Send' }).click();
        await expect(page.getByRole('log').locator('pre')).toBeVisible();
        await shoot('chat');
      } finally {
        for (const device of devices) device.close();
        await fake.close();
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
