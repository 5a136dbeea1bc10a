/**
 * The Control UI's connection with an invite (`#invite=` of a dashboard or setup link),
 * against a real gateway on 127.0.0.1:0 through `ws`: it signs in once, keeps the device
 * token it earned, and a used link ends on a calm page without retrying.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { InviteCreated, PairListPayload } from '../../shared/protocol.js';
import {
  connectDevice,
  newIdentity,
  startTestGateway,
  type TestGateway,
} from '../../../test/helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../../../test/helpers/within.js';
import { Backoff } from './backoff.js';
import { UiGatewayConnection } from './connection.js';
import type { KeyValueStore } from './session-secrets.js';
import { SessionSecrets } from './session-secrets.js';

let gateway: TestGateway | undefined;
const connections: UiGatewayConnection[] = [];
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.stop();
  await gateway?.stop();
  gateway = undefined;
});

function memoryStore(): KeyValueStore {
  const data = new Map<string, string>();
  return {
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

/** A UI connection to `gw` (a remote phone through the trusted proxy when `remote`). */
async function uiConnection(gw: TestGateway, secrets: SessionSecrets, remote = false) {
  const identity = await newIdentity();
  const scheduled: number[] = [];
  const connection = new UiGatewayConnection({
    openSocket: () =>
      new WebSocket(gw.wsUrl, {
        perMessageDeflate: false,
        ...(remote
          ? { localAddress: '127.0.0.2', headers: { 'x-forwarded-for': '203.0.113.7' } }
          : {}),
      }),
    identity: () => Promise.resolve(identity),
    secrets,
    client: { id: 'special-agent-control-ui', version: '0.0.0', platform: 'test', mode: 'ui' },
    backoff: new Backoff(),
    now: () => Date.now(),
    // No retry ever runs: the test sees that one was scheduled, and when.
    timers: { set: (_fn, ms) => scheduled.push(ms), clear: () => undefined },
  });
  connections.push(connection);
  return { connection, scheduled, identity };
}

/**
 * Resolves with the state once the attempt that `start()`/`retryNow()` began (synchronously
 * setting `busy`) has ended, whichever way: the test then asserts on the phase.
 */
function settled(connection: UiGatewayConnection) {
  return within(
    OUTCOME_WAIT_MS,
    new Promise<ReturnType<UiGatewayConnection['getSnapshot']>>((resolve) => {
      const check = () => {
        const state = connection.getSnapshot();
        if (!state.busy) resolve(state);
      };
      connection.subscribe(check);
      check();
    }),
    'the connection attempt to end',
  );
}

function secretsFor(gw: TestGateway): SessionSecrets {
  return new SessionSecrets({ session: memoryStore(), local: memoryStore(), origin: gw.origin });
}

async function invite(gw: TestGateway, params: Record<string, unknown>): Promise<InviteCreated> {
  const admin = await connectDevice(gw);
  try {
    return await admin.client.request<InviteCreated>('device.invite.create', params);
  } finally {
    admin.client.close();
  }
}

describe('UiGatewayConnection with an invite', () => {
  it('signs in with the invite alone, keeps the device token it earned and drops the code', async () => {
    gateway = await startTestGateway();
    const created = await invite(gateway, { scopes: ['operator.admin'], ttlSeconds: 120 });
    const secrets = secretsFor(gateway);
    secrets.invite = created.code;
    const { connection } = await uiConnection(gateway, secrets);
    connection.start();
    const state = await settled(connection);
    expect(state.phase).toBe('connected');
    expect(state.hello?.auth?.scopes).toEqual(['operator.admin']);
    expect(secrets.invite).toBeUndefined();
    expect(secrets.deviceToken).toBe(state.hello?.auth?.deviceToken);
    expect(secrets.connectAuth()).toEqual({ deviceToken: state.hello?.auth?.deviceToken });
  });

  it('a phone paired by a read/write invite stays signed in with read/write, asking nobody for more', async () => {
    gateway = await startTestGateway({
      config: { gateway: { trustedProxies: ['127.0.0.2'] } },
    });
    const created = await invite(gateway, { scopes: ['operator.read', 'operator.write'] });
    const secrets = secretsFor(gateway);
    secrets.invite = created.code;
    const { connection } = await uiConnection(gateway, secrets, true);
    connection.start();
    const first = await settled(connection);
    expect(first.phase).toBe('connected');
    // A reload: the same browser comes back with its device token.
    connection.retryNow();
    const again = await settled(connection);
    expect(again.phase).toBe('connected');
    expect(again.generation).toBe(2);
    // hello-ok names the scopes only when it issues a token: the reload knows them anyway.
    expect(first.scopes).toEqual(['operator.read', 'operator.write']);
    expect(again.hello?.auth, 'a token issued on the reload').toBeUndefined();
    expect(again.scopes, 'the scopes known after the reload').toEqual([
      'operator.read',
      'operator.write',
    ]);
    const admin = await connectDevice(gateway);
    const list = await admin.client.request<PairListPayload>('device.pair.list');
    admin.client.close();
    expect(list.pending).toEqual([]);
  });

  it('a used link ends in invite-used with the gateway message and no retry scheduled', async () => {
    gateway = await startTestGateway();
    const created = await invite(gateway, { scopes: ['operator.admin'] });
    const firstBrowser = secretsFor(gateway);
    firstBrowser.invite = created.code;
    const first = await uiConnection(gateway, firstBrowser);
    first.connection.start();
    expect((await settled(first.connection)).phase).toBe('connected');

    const secondBrowser = secretsFor(gateway);
    secondBrowser.invite = created.code;
    const second = await uiConnection(gateway, secondBrowser);
    second.connection.start();
    const state = await settled(second.connection);
    expect(state.phase).toBe('invite-used');
    expect(state.errorCode).toBe('INVITE_INVALID');
    expect(state.retryAtMs).toBeUndefined();
    expect(second.scheduled).toEqual([]);
    expect(secondBrowser.invite).toBeUndefined();

    // "Sign in another way": with nothing else to present, the calm sign-in page.
    second.connection.retryNow();
    const after = await settled(second.connection);
    expect(after.phase).toBe('login');
    expect(after.message).toBeUndefined();
  });
});

describe('UiGatewayConnection with the shared token', () => {
  it('a remote browser approved with fewer scopes than admin gets in with them, asking for no more', async () => {
    gateway = await startTestGateway({
      config: { gateway: { trustedProxies: ['127.0.0.2'] } },
    });
    const secrets = secretsFor(gateway);
    secrets.token = gateway.token;
    const { connection, identity } = await uiConnection(gateway, secrets, true);
    connection.start();
    expect((await settled(connection)).phase).toBe('pairing');
    const admin = await connectDevice(gateway);
    try {
      const { pending } = await admin.client.request<PairListPayload>('device.pair.list');
      const request = pending.find((entry) => entry.deviceId === identity.deviceId);
      await admin.client.request('device.pair.approve', {
        requestId: request?.requestId,
        scopes: ['operator.read', 'operator.write'],
      });
      connection.retryNow();
      const state = await settled(connection);
      expect(state.phase, 'the browser after its approval').toBe('connected');
      expect(state.hello?.auth?.scopes).toEqual(['operator.read', 'operator.write']);
      const after = await admin.client.request<PairListPayload>('device.pair.list');
      expect(after.pending, 'requests left after the approval').toEqual([]);
    } finally {
      admin.client.close();
    }
  });
});
