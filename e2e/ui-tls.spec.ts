/**
 * The Control UI from "another machine" over HTTPS (DESIGN.md "Remote devices"): Chromium
 * maps the made-up name lan.test to 127.0.0.1, the gateway speaks only HTTPS with its own
 * self-signed certificate, and the browser accepts it (as a person does after comparing the
 * fingerprint). The dashboard link then signs it in and pairs it as an invited device.
 */
import { runCli } from './fixtures/cli.js';
import { expect, freePort, test } from './fixtures/gateway.js';

const LAN_HOST = 'lan.test';

test.describe('Control UI over HTTPS', () => {
  test('signs in and pairs at https:// once the certificate is accepted', async ({
    playwright,
    launchOptions,
    launchGateway,
  }) => {
    const port = await freePort();
    const gateway = await launchGateway({
      config: { gateway: { port, allowedHosts: [`${LAN_HOST}:${port}`], tls: { enabled: true } } },
    });
    expect(gateway.url).toBe(`https://127.0.0.1:${port}`);

    const status = await runCli(['gateway', 'status', '--json'], gateway);
    expect(status.code, status.stderr).toBe(0);
    const fingerprint = (JSON.parse(status.stdout) as { tls: { fingerprintSha256: string } }).tls
      .fingerprintSha256;
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const cli = await runCli(['dashboard', '--no-open', '--json'], gateway);
    expect(cli.code, cli.stderr).toBe(0);
    const link = new URL((JSON.parse(cli.stdout) as { url: string }).url);
    link.hostname = LAN_HOST;

    const browser = await playwright.chromium.launch({
      ...launchOptions,
      args: [...(launchOptions.args ?? []), `--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`],
    });
    try {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(link.toString());
      await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
      expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
      expect(page.url()).toMatch(new RegExp(`^https://${LAN_HOST}:${port}/`));

      // The Gateway page shows the fingerprint the person compared.
      await page.getByRole('link', { name: 'Gateway' }).click();
      await expect(page.getByText(fingerprint)).toBeVisible();
      expect(pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }

    const list = await runCli(['devices', 'list', '--json'], gateway);
    expect(list.code, list.stderr).toBe(0);
    const paired = (JSON.parse(list.stdout) as { paired: { approvedBy: string }[] }).paired;
    expect(paired.map((device) => device.approvedBy)).toContain('invite');
  });
});
