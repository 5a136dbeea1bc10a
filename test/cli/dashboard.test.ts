/**
 * `special-agent dashboard` (DESIGN.md "The dashboard link is an invite too"): a 2-minute,
 * single-use admin invite in the URL fragment instead of the gateway token, and a clear
 * failure when no gateway runs.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { InviteInfo } from '../../src/shared/protocol.js';
import { childEnv, runCli } from '../helpers/child.js';
import {
  connectDevice,
  startTestGateway,
  writeConfig,
  type TestGateway,
} from '../helpers/gateway.js';
import { cliEnvFor, expectOk, expectOneLineFailure } from './cli-test-support.js';

let gateway: TestGateway | undefined;
const temps: string[] = [];
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'special-agent-dashboard-'));
  temps.push(dir);
  return dir;
}

const INVITE_URL = /^http:\/\/127\.0\.0\.1:(\d+)\/#invite=([A-Za-z0-9_-]{22})$/;

/** The open invites, as an admin sees them. */
async function openInvites(gw: TestGateway): Promise<InviteInfo[]> {
  const admin = await connectDevice(gw);
  try {
    return (await admin.client.request<{ invites: InviteInfo[] }>('device.invite.list')).invites;
  } finally {
    admin.client.close();
  }
}

/** A PATH whose `xdg-open` records the URL it was given into `received`. */
async function recordingOpener(): Promise<{ path: string; received: string }> {
  const bin = await tempDir();
  const received = join(bin, 'opened.txt');
  await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${received}'\n`);
  await chmod(join(bin, 'xdg-open'), 0o755);
  return { path: `${bin}:${process.env.PATH ?? ''}`, received };
}

describe('special-agent dashboard', () => {
  it('--no-open prints an #invite= URL (never the token) that signs in one browser once, as admin', async () => {
    gateway = await startTestGateway();
    const result = await runCli(['dashboard', '--no-open'], cliEnvFor(gateway));
    const lines = expectOk(result).split('\n');
    const match = INVITE_URL.exec(lines[0] ?? '');
    expect(match?.[1], result.stdout).toBe(String(gateway.app.port));
    expect(result.stdout + result.stderr).not.toContain(gateway.token);
    // The person is told the link is single-use and short-lived.
    expect(result.stderr).toMatch(/works once.*2 minutes.*special-agent dashboard/s);

    const code = match?.[2] ?? '';
    const browser = await connectDevice(gateway, { auth: { bootstrapToken: code } });
    expect(browser.hello.auth).toMatchObject({
      deviceToken: expect.any(String),
      scopes: ['operator.admin'],
    });
    browser.client.close();
    await expect(connectDevice(gateway, { auth: { bootstrapToken: code } })).rejects.toMatchObject({
      details: { code: 'INVITE_INVALID' },
    });
  });

  it('--json prints {url, expiresAtMs} of a dashboard invite that lives 2 minutes', async () => {
    gateway = await startTestGateway();
    const out = expectOk(await runCli(['dashboard', '--no-open', '--json'], cliEnvFor(gateway)));
    const payload = JSON.parse(out) as { url: string; expiresAtMs: number };
    expect(Object.keys(payload).sort()).toEqual(['expiresAtMs', 'url']);
    expect(payload.url).toMatch(INVITE_URL);
    expect(out).not.toContain(gateway.token);
    const [invite, ...others] = await openInvites(gateway);
    expect(others).toEqual([]);
    expect(invite).toMatchObject({
      label: 'dashboard',
      scopes: ['operator.admin'],
      expiresAtMs: payload.expiresAtMs,
    });
    expect(payload.expiresAtMs - (invite?.createdAtMs ?? 0)).toBe(120_000);
  });

  it('opens the invite URL with the platform opener and prints neither the token nor the code', async () => {
    gateway = await startTestGateway();
    const opener = await recordingOpener();
    const result = await runCli(['dashboard'], cliEnvFor(gateway, { PATH: opener.path }));
    expect(expectOk(result)).toMatch(/^Opened the Control UI/);
    await expect.poll(() => readFile(opener.received, 'utf8').catch(() => '')).toMatch(INVITE_URL);
    const opened = await readFile(opener.received, 'utf8');
    const code = INVITE_URL.exec(opened)?.[2] ?? 'missing';
    expect(result.stdout + result.stderr).not.toContain(gateway.token);
    expect(result.stdout + result.stderr).not.toContain(code);
  });

  it('revokes the invite when the browser cannot be opened, and says how to get the URL', async () => {
    gateway = await startTestGateway();
    // A PATH with no opener at all: xdg-open cannot be run.
    const result = await runCli(['dashboard'], cliEnvFor(gateway, { PATH: await tempDir() }));
    expectOneLineFailure(result, 1, /special-agent dashboard --no-open/);
    expect(await openInvites(gateway)).toEqual([]);
  });

  it('revokes the invite when the opener runs but fails (xdg-open exits 3: no browser), naming its exit', async () => {
    gateway = await startTestGateway();
    const bin = await tempDir();
    await writeFile(join(bin, 'xdg-open'), '#!/bin/sh\nexit 3\n');
    await chmod(join(bin, 'xdg-open'), 0o755);
    const env = cliEnvFor(gateway, { PATH: `${bin}:${process.env.PATH ?? ''}` });
    const result = await runCli(['dashboard'], env);
    expectOneLineFailure(result, 1, /xdg-open .*exit 3.*special-agent dashboard --no-open/);
    expect(result.stdout, 'what dashboard printed on stdout').toBe('');
    expect(await openInvites(gateway), 'invites left live').toEqual([]);
  });

  it('exits 1 with "no gateway running at …" when no gateway answers', async () => {
    const running = await startTestGateway();
    const port = running.app.port;
    await running.stop();
    const home = await tempDir();
    await writeConfig(home, { gateway: { port } });
    // A token at hand, as a user has one: the command must still not print a dead URL.
    const env = childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: running.token });
    const result = await runCli(['dashboard', '--no-open'], env);
    expectOneLineFailure(
      result,
      1,
      new RegExp(`no gateway running at http://127\\.0\\.0\\.1:${port}.*special-agent gateway run`),
    );
    expect(result.stdout).toBe('');
    // --url names where to look, and the message names it too.
    expectOneLineFailure(
      await runCli(['dashboard', '--no-open', '--url', 'ws://127.0.0.1:1'], env),
      1,
      /no gateway running at http:\/\/127\.0\.0\.1:1 /,
    );
  });
});
