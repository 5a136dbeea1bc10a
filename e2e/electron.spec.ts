import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { locateElectronBinary } from '../src/main/desktop/electron-binary.js';

// Launches the real tray app (built: npm run build) with a fresh home, connects a remote
// device, and approves it from the app's own Control UI window.
const REPO = resolve(import.meta.dirname, '..');
const electronBinary = locateElectronBinary();
const hasElectronBinary = electronBinary !== undefined;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

interface Frame {
  type: string;
  event?: string;
  ok?: boolean;
  payload?: { nonce?: string; type?: string };
  error?: { code: string; details?: { code?: string; requestId?: string } };
}

/** One connect attempt by a device that is remote (it arrives through a proxy hop). */
async function connectDevice(
  port: number,
  token: string,
  keys: ReturnType<typeof generateKeyPairSync>,
): Promise<Frame> {
  const raw = Buffer.from(keys.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const deviceId = createHash('sha256').update(raw).digest('hex');
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`, {
    headers: { 'X-Forwarded-For': '203.0.113.7' },
  });
  const frames: Frame[] = [];
  const next = (): Promise<Frame> =>
    new Promise((done, fail) => {
      const shifted = frames.shift();
      if (shifted) return done(shifted);
      socket.once('message', () => done(frames.shift() as Frame));
      socket.once('close', () => fail(new Error('closed before a reply')));
    });
  socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Frame));
  try {
    const challenge = await next();
    const nonce = challenge.payload?.nonce ?? '';
    const signedAt = Date.now();
    const scopes = ['operator.read'];
    const payload = [
      'v3',
      deviceId,
      'e2e-device',
      'cli',
      'operator',
      scopes.join(','),
      signedAt,
      token,
      nonce,
      'linux',
      '',
    ].join('|');
    socket.send(
      JSON.stringify({
        type: 'req',
        id: '1',
        method: 'connect',
        params: {
          minProtocol: 3,
          maxProtocol: 3,
          client: {
            id: 'e2e-device',
            version: '1.0.0',
            platform: 'linux',
            mode: 'cli',
            displayName: 'E2E phone',
          },
          role: 'operator',
          scopes,
          auth: { token },
          device: {
            id: deviceId,
            publicKey: raw.toString('base64url'),
            signature: sign(null, Buffer.from(payload), keys.privateKey).toString('base64url'),
            signedAt,
            nonce,
          },
        },
      }),
    );
    return await next();
  } finally {
    socket.close();
  }
}

test.describe('desktop app', () => {
  test.skip(
    !hasElectronBinary,
    'skipped: no Electron binary on this machine (npm ci downloads it where internet is available)',
  );

  let home: string;
  test.beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'special-agent-e2e-'));
  });
  test.afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  test('approves a remote device from the desktop window', async () => {
    const port = await freePort();
    const token = randomBytes(32).toString('base64url');
    await writeFile(
      join(home, 'config.json5'),
      `{ gateway: { port: ${port}, auth: { mode: "token" } } }\n`,
    );
    const env = {
      ...process.env,
      SPECIAL_AGENT_HOME: home,
      SPECIAL_AGENT_GATEWAY_TOKEN: token,
    } as Record<string, string>;
    const app = await electron.launch({ executablePath: electronBinary, args: [REPO], env });
    try {
      await expect
        .poll(
          async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok,
        )
        .toBe(true);

      const keys = generateKeyPairSync('ed25519');
      const first = await connectDevice(port, token, keys);
      expect(first.error?.details?.code).toBe('PAIRING_REQUIRED');
      const requestId = first.error?.details?.requestId ?? '';

      // A second launch is how a user brings the tray app's window up.
      const second = spawn(electronBinary ?? '', [REPO], { env, stdio: 'ignore' });
      const window = await app.firstWindow();
      await new Promise((done) => second.once('exit', done));

      // The page runs with no Node: nothing of the main process leaks into the UI.
      const leaked = await window.evaluate(() => {
        const scope = globalThis as { require?: unknown; process?: unknown };
        return [typeof scope.require, typeof scope.process];
      });
      expect(leaked).toEqual(['undefined', 'undefined']);
      expect(new URL(window.url()).origin).toBe(`http://127.0.0.1:${port}`);

      await window.evaluate((id) => {
        location.hash = `#/devices?request=${encodeURIComponent(id)}`;
      }, requestId);
      const card = window.getByRole('article', { name: 'Pairing request from E2E phone' });
      await expect(card).toHaveAttribute('data-request-id', requestId);
      await card.getByRole('button', { name: 'Approve' }).click();

      await expect
        .poll(async () => (await connectDevice(port, token, keys)).payload?.type)
        .toBe('hello-ok');
    } finally {
      await app.close();
    }
  });
});
