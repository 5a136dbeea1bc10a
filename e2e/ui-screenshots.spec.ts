import { expect, test } from './fixtures/gateway.js';
import { startFakeProvider } from './fixtures/fake-provider.js';
import { RemoteDevice } from './fixtures/remote-device.js';
import { goTo, screenshot, signIn } from './fixtures/ui.js';

// Screenshots of every page in both themes, for review (test-results/screenshots/).
for (const colorScheme of ['light', 'dark'] as const) {
  test(`captures every page in the ${colorScheme} theme`, async ({ page, launchGateway }) => {
    const fake = await startFakeProvider({
      deltas: ['Here is a list:\n\n- **one**\n- `two`\n\n```js\nconsole.log(3)\n```'],
    });
    const device = await RemoteDevice.create('', '', 'Pixel 9');
    try {
      const gateway = await launchGateway({
        config: {
          models: {
            providers: {
              ollama: { type: 'openai', baseUrl: fake.baseUrl, models: ['llama3.2', 'qwen2.5'] },
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
        },
      });
      const remote = await RemoteDevice.create(gateway.wsUrl, gateway.token, 'Pixel 9');
      await remote.connect();
      await page.emulateMedia({ colorScheme });

      await page.goto(`${gateway.url}/#token=wrong-token`);
      await expect(page.getByRole('alert')).toBeVisible();
      await screenshot(page, `login-${colorScheme}`);

      await signIn(page, gateway, '/devices');
      await expect(
        page.getByRole('article', { name: 'Pairing request from Pixel 9' }),
      ).toBeVisible();
      await screenshot(page, `devices-${colorScheme}`);

      await goTo(page, '#/providers');
      await expect(page.getByRole('listitem', { name: 'Provider ollama' })).toBeVisible();
      await page.getByRole('button', { name: 'Test connection to ollama' }).click();
      await expect(page.getByText(/^ok · /)).toBeVisible();
      await screenshot(page, `providers-${colorScheme}`);

      await goTo(page, '#/providers?add=1');
      await page.getByRole('button', { name: 'Add provider' }).click();
      await expect(page.getByText('Give the provider an id')).toBeVisible();
      await screenshot(page, `provider-form-${colorScheme}`);

      await goTo(page, '#/agents');
      await expect(page.getByRole('form', { name: 'Model of agent writer' })).toBeVisible();
      await screenshot(page, `agents-${colorScheme}`);

      await goTo(page, '#/gateway');
      await expect(page.getByRole('region', { name: 'Status' })).toContainText('Uptime');
      await screenshot(page, `gateway-${colorScheme}`);

      await goTo(page, '#/chat');
      await page.getByRole('textbox', { name: 'Message' }).fill('Show me a list');
      await page.getByRole('button', { name: 'Send' }).click();
      await expect(page.getByRole('log').locator('pre')).toBeVisible();
      await screenshot(page, `chat-${colorScheme}`);

      await page.setViewportSize({ width: 420, height: 800 });
      await goTo(page, '#/devices');
      await expect(page.getByRole('heading', { name: 'Devices', level: 1 })).toBeVisible();
      await screenshot(page, `devices-narrow-${colorScheme}`);
      remote.close();
    } finally {
      device.close();
      await fake.close();
    }
  });
}
