/**
 * A browser on another machine opening `http://<lan-name>:<port>/` is not in a secure
 * context, so it has no WebCrypto for the device key. Chromium maps the made-up name
 * lan.test to 127.0.0.1, which makes this machine look like another one to the browser.
 */
import { expect, freePort, test } from './fixtures/gateway.js';
import { expectNoSidewaysScroll, screenshot } from './fixtures/ui.js';

const LAN_HOST = 'lan.test';

test.describe('Control UI outside a secure context', () => {
  test('explains why it cannot sign in and how to fix it, with no error and no retry loop', async ({
    playwright,
    launchOptions,
    launchGateway,
  }) => {
    const port = await freePort();
    await launchGateway({ config: { gateway: { port, allowedHosts: [`${LAN_HOST}:${port}`] } } });
    const browser = await playwright.chromium.launch({
      ...launchOptions,
      args: [...(launchOptions.args ?? []), `--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`],
    });
    try {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      const sockets: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('websocket', (socket) => sockets.push(socket.url()));

      await page.goto(`http://${LAN_HOST}:${port}/#token=not-kept-here`);
      const heading = page.getByRole('heading', { name: 'This address can’t sign in' });
      await expect(heading).toBeVisible();
      expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
      const main = page.getByRole('main');
      await expect(main).toContainText('not a secure context');
      // Fix 1: the gateway's https address, checked against the fingerprint.
      await expect(main).toContainText(`https://${LAN_HOST}:${port}/`);
      await expect(main).toContainText('special-agent gateway status');
      // Fix 2: an SSH tunnel to localhost.
      await expect(main).toContainText(`ssh -L ${port}:127.0.0.1:${port} ${LAN_HOST}`);
      await expect(main).toContainText(`http://localhost:${port}/`);
      // No weaker sign-in is offered.
      await expect(page.getByLabel('Gateway token')).toHaveCount(0);
      await expect(page.getByRole('button', { name: /sign in|retry/i })).toHaveCount(0);
      // The fragment token leaves the address bar even here.
      expect(page.url()).not.toContain('not-kept-here');

      // Long enough for the old code's backoff (0.5 s, 1 s, 2 s …) to retry several times.
      await page.waitForTimeout(3000);
      await expect(heading).toBeVisible();
      await expect(page.getByText('TypeError')).toHaveCount(0);
      expect(pageErrors).toEqual([]);
      expect(sockets).toEqual([]);

      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 844 });
        await expectNoSidewaysScroll(page, `insecure context at ${width} px`);
        await screenshot(page, `insecure-context-${width}-light`);
      }
    } finally {
      await browser.close();
    }
  });
});
