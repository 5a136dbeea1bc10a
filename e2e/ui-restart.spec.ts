/**
 * Restart from the Gateway page (`gateway.restart`): the UI comes back connected on its
 * own; after a port change, which a page cannot follow (a new port is a new origin), it
 * offers a link to the new address instead.
 */
import WebSocket from 'ws';
import { generateDeviceKeys, identityFromKeyPair } from '../src/shared/device-auth.js';
import { GatewayClient } from '../src/shared/gateway-client.js';
import type { RunningGateway } from './fixtures/gateway.js';
import { expect, freePort, test } from './fixtures/gateway.js';
import { liveRegion } from './fixtures/notifications.js';
import { expectNoSidewaysScroll, signIn } from './fixtures/ui.js';

const WIDTHS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

const NO_RESTART =
  'skipped: this gateway does not offer gateway.restart (absent from hello-ok features.methods)';

/** The methods this gateway lists in hello-ok, asked by a local client with the token. */
async function gatewayMethods(gateway: RunningGateway): Promise<string[]> {
  const identity = await identityFromKeyPair(
    crypto.subtle,
    await generateDeviceKeys(crypto.subtle, false),
  );
  const client = new GatewayClient({
    openSocket: () => new WebSocket(gateway.wsUrl, { perMessageDeflate: false }),
    identity,
    client: { id: 'e2e-probe', version: '1.0.0', platform: 'linux', mode: 'cli' },
    auth: { token: gateway.token },
  });
  try {
    return (await client.connect()).features.methods;
  } finally {
    client.close();
  }
}

for (const colorScheme of ['light', 'dark'] as const) {
  for (const viewport of WIDTHS) {
    test(`at ${viewport.width} px (${colorScheme}) Restart gateway brings the UI back connected by itself`, async ({
      page,
      launchGateway,
    }) => {
      // A fixed port, so the restarted gateway listens where this page is.
      const gateway = await launchGateway({ config: { gateway: { port: await freePort() } } });
      test.skip(!(await gatewayMethods(gateway)).includes('gateway.restart'), NO_RESTART);
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme });
      await signIn(page, gateway, '/gateway');

      await page.getByRole('button', { name: 'Restart gateway' }).click();
      const dialog = page.getByRole('dialog', { name: 'Restart the gateway?' });
      await dialog.getByRole('button', { name: 'Restart' }).click();
      await expect(page.getByText('Gateway restarting')).toBeVisible();
      await expectNoSidewaysScroll(page, `restarting ${viewport.width} ${colorScheme}`);

      await expect(page.getByText('Gateway restarted.')).toBeVisible({ timeout: 20_000 });
      await expect(page.getByText('Gateway restarting')).toBeHidden();
      await expect(liveRegion(page)).toContainText('Connection to the gateway restored');
      await expectNoSidewaysScroll(page, `restarted ${viewport.width} ${colorScheme}`);
    });
  }
}

test('after a port change, Restart now offers a link to the new address, which serves the UI', async ({
  page,
  launchGateway,
}) => {
  const gateway = await launchGateway({ config: { gateway: { port: await freePort() } } });
  test.skip(!(await gatewayMethods(gateway)).includes('gateway.restart'), NO_RESTART);
  const next = await freePort();
  await signIn(page, gateway, '/gateway');
  const network = page.getByRole('form', { name: 'Network' });
  await network.getByRole('textbox', { name: 'Port' }).fill(String(next));
  await network.getByRole('button', { name: 'Save network settings' }).click();
  const card = page.getByRole('region', { name: 'Network' });
  await expect(card.getByText('Saved. Restart the gateway to apply.')).toBeVisible();

  await card.getByRole('button', { name: 'Restart now' }).click();
  await page
    .getByRole('dialog', { name: 'Restart the gateway?' })
    .getByRole('button', { name: 'Restart' })
    .click();
  const link = page.getByRole('link', { name: `http://127.0.0.1:${next}/` });
  await expect(link).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(`The gateway now listens on port ${next}`)).toBeVisible();
  await expectNoSidewaysScroll(page, 'moved banner');

  await link.click();
  await expect(page).toHaveURL(`http://127.0.0.1:${next}/`);
  await expect(page.getByLabel('Gateway token')).toBeVisible({ timeout: 20_000 });
});
