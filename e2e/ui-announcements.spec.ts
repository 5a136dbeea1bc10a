/**
 * The polite live region tells a screen-reader user how this tab's chat answer is going,
 * from the connection's own `chat` events: the Chat page need not announce anything.
 */
import { expect, test } from './fixtures/gateway.js';
import { startFakeProvider } from './fixtures/fake-provider.js';
import { liveRegion } from './fixtures/notifications.js';
import { signIn } from './fixtures/ui.js';

test('a chat answer is announced as streaming, then stopped; the next one as complete', async ({
  page,
  launchGateway,
}) => {
  const fake = await startFakeProvider({ deltas: ['Hello', ' there.'], holdAfterFirst: true });
  try {
    const gateway = await launchGateway({
      config: {
        models: {
          providers: { fake: { type: 'openai', baseUrl: fake.baseUrl, models: ['fake-model'] } },
        },
        agents: {
          default: 'main',
          list: [{ id: 'main', name: 'Main', model: { provider: 'fake', name: 'fake-model' } }],
        },
      },
    });
    await signIn(page, gateway, '/chat');
    const input = page.getByRole('textbox', { name: 'Message' });
    const live = liveRegion(page);

    await input.fill('Say hello');
    await input.press('Enter');
    await expect(live).toHaveText('Answer streaming');
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(live).toHaveText('Answer streamingStopped');

    // The held stream ends; from now on the provider answers at once.
    fake.release();
    await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
    await input.fill('Again');
    await input.press('Enter');
    await expect(live).toHaveText('StoppedAnswer streamingAnswer complete');
  } finally {
    await fake.close();
  }
});
