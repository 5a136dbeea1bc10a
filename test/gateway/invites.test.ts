/**
 * Invites, ignore and rename through a real gateway (PROTOCOL.md handshake steps 4–5 with
 * `auth.bootstrapToken`, `device.invite.*`, `device.pair.ignore`, `device.unignore`,
 * `device.rename`, the `device.paired` event). Remote devices come through the trusted
 * proxy 127.0.0.2 with an X-Forwarded-For address, so they are never local.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { DeviceIdentity } from '../../src/shared/device-auth.js';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import type {
  InviteCreated,
  InviteInfo,
  PairedDevice,
  PairListPayload,
} from '../../src/shared/protocol.js';
import {
  connectDevice,
  deviceClient,
  makeTempHome,
  newIdentity,
  startTestGateway,
  writeConfig,
  type TestGateway,
} from '../helpers/gateway.js';
import { TestClock } from '../helpers/nothing-lost.js';
import {
  failure,
  gatewayPerCase,
  PROXY,
  rawConnect,
  REMOTE_IP,
  remoteConnect,
} from '../conformance/support.js';

const gw = gatewayPerCase();
const REMOTE = { localAddress: PROXY, headers: { 'x-forwarded-for': REMOTE_IP } };
const EVENT_WAIT_MS = 5_000;

/**
 * Resolves with the next `event` payload on `client` that `matches`; fails naming the
 * event after 5 s.
 */
function nextEvent<T>(
  client: GatewayClient,
  event: string,
  matches: (payload: T) => boolean = () => true,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no matching ${event} event within ${EVENT_WAIT_MS} ms`)),
      EVENT_WAIT_MS,
    );
    const off = client.on(event, (payload) => {
      if (!matches(payload as T)) return;
      clearTimeout(timer);
      off();
      resolve(payload as T);
    });
  });
}

type Paired = { device: PairedDevice; approvedBy: string };

/** Every event name `client` receives, in order. */
function eventLog(client: GatewayClient): string[] {
  const names: string[] = [];
  client.on('*', (_payload, frame) => {
    if (frame.event !== 'tick') names.push(frame.event);
  });
  return names;
}

async function createInvite(
  client: GatewayClient,
  params: Record<string, unknown> = {},
): Promise<InviteCreated> {
  return client.request<InviteCreated>('device.invite.create', params);
}

describe('an invite', () => {
  it('pairs a remote device at once with exactly its scopes, a device token and approvedBy invite', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const watcher = await gw.operator(gateway, ['operator.pairing']);
    const reader = await gw.operator(gateway, ['operator.read']);
    const readerEvents = eventLog(reader.client);
    const invite = await createInvite(admin.client, { scopes: ['operator.read'], label: 'Phone' });
    expect(invite.setupUrl).toBe(`${gateway.origin}/#invite=${invite.code}`);
    const identity = await newIdentity();
    const paired = nextEvent<Paired>(
      watcher.client,
      'device.paired',
      (event) => event.device.deviceId === identity.deviceId,
    );

    const phone = await remoteConnect(gateway, {
      identity,
      auth: { bootstrapToken: invite.code },
    });
    gw.track(phone.client);
    expect(phone.error).toBeUndefined();
    expect(phone.hello?.auth).toEqual({
      deviceToken: expect.any(String),
      role: 'operator',
      scopes: ['operator.read'],
      issuedAtMs: expect.any(Number),
    });
    const event = await paired;
    expect(event).toMatchObject({
      approvedBy: 'invite',
      inviteId: invite.inviteId,
      device: { deviceId: phone.identity.deviceId, approvedBy: 'invite' },
    });
    const list = await admin.client.request<PairListPayload>('device.pair.list');
    expect(list.pending).toEqual([]);
    expect(list.paired.find((d) => d.deviceId === phone.identity.deviceId)).toMatchObject({
      approvedBy: 'invite',
      scopes: ['operator.read'],
      remoteIp: REMOTE_IP,
    });
    // Pairing events go only to connections holding operator.pairing.
    await admin.client.request('status');
    expect(readerEvents).not.toContain('device.paired');

    // The device token it was given works on its own next time.
    phone.client.close();
    const again = await remoteConnect(gateway, {
      identity: phone.identity,
      auth: { deviceToken: phone.hello!.auth!.deviceToken },
    });
    gw.track(again.client);
    expect(again.error).toBeUndefined();
  });

  it('works once: the same code again is NOT_FOUND/INVITE_INVALID, close 1008 "unauthorized: invite …"', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const { code } = await createInvite(admin.client);
    const first = await remoteConnect(gateway, { auth: { bootstrapToken: code } });
    gw.track(first.client);
    expect(first.error).toBeUndefined();

    const second = await rawConnect(gateway, { ...REMOTE, auth: { bootstrapToken: code } });
    expect(second.response.error).toMatchObject({
      code: 'NOT_FOUND',
      details: { code: 'INVITE_INVALID' },
      message: expect.stringMatching(/^unauthorized: invite .*special-agent devices invite/),
    });
    expect(second.close?.code).toBe(1008);
    expect(second.close?.reason).toMatch(/^unauthorized: invite /);
    const list = await admin.client.request<PairListPayload>('device.pair.list');
    expect(list.pending).toEqual([]);
  });

  it('is INVITE_INVALID once revoked; revoking an unknown invite is NOT_FOUND', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const { inviteId, code } = await createInvite(admin.client);
    expect(await admin.client.request('device.invite.revoke', { inviteId })).toEqual({ inviteId });
    const answer = await rawConnect(gateway, { ...REMOTE, auth: { bootstrapToken: code } });
    expect(answer.response.error?.details).toEqual({ code: 'INVITE_INVALID' });
    expect(answer.close?.code).toBe(1008);
    await expect(admin.client.request('device.invite.revoke', { inviteId })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('is INVITE_INVALID once its ttl has passed', async () => {
    const clock = new TestClock();
    const gateway = await gw.startProxied({}, { clock });
    const admin = await gw.operator(gateway);
    const { code, expiresAtMs } = await createInvite(admin.client, { ttlSeconds: 60 });
    expect(expiresAtMs).toBe(clock.now() + 60_000);
    clock.advance(60_000);
    expect(await admin.client.request('device.invite.list')).toEqual({ invites: [] });
    const answer = await rawConnect(gateway, {
      ...REMOTE,
      auth: { bootstrapToken: code },
      signedAtMs: clock.now(),
    });
    expect(answer.response.error?.details).toEqual({ code: 'INVITE_INVALID' });
  });

  it('survives a gateway restart on the same home', async () => {
    const home = await makeTempHome();
    try {
      await writeConfig(home, { gateway: { trustedProxies: [PROXY] } });
      const first = await startTestGateway({ home });
      const admin = deviceClient(first.wsUrl, {
        identity: await newIdentity(),
        auth: { token: first.token },
      });
      await admin.connect();
      const { code } = await createInvite(admin);
      admin.close();
      await first.stop();

      const second = await startTestGateway({ home });
      try {
        const phone = await remoteConnect(second, { auth: { bootstrapToken: code } });
        phone.client.close();
        expect(phone.error).toBeUndefined();
        expect(phone.hello?.auth?.scopes).toEqual(['operator.read', 'operator.write']);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('a wrong code counts as a failed secret for the lockout', async () => {
    const gateway = await gw.startProxied({}, { limits: { lockoutMaxFailures: 2 } });
    const admin = await gw.operator(gateway);
    const { code } = await createInvite(admin.client);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const wrong = await rawConnect(gateway, {
        ...REMOTE,
        auth: { bootstrapToken: `wrong-${attempt}` },
      });
      expect(wrong.response.error?.details).toEqual({ code: 'INVITE_INVALID' });
    }
    const locked = await rawConnect(gateway, { ...REMOTE, auth: { bootstrapToken: code } });
    expect(locked.response.error?.details).toMatchObject({ code: 'AUTH_RATE_LIMITED' });
    // Refused before its code was looked at: the invite is still open.
    expect(await admin.client.request<{ invites: InviteInfo[] }>('device.invite.list')).toEqual({
      invites: [expect.objectContaining({ expiresAtMs: expect.any(Number) })],
    });
  });

  it('in none mode, wrong codes count too, and a connect without a code stays unaffected', async () => {
    const gateway = await gw.start({
      config: { gateway: { auth: { mode: 'none' } } },
      limits: { lockoutMaxFailures: 2 },
    });
    const admin = await gw.operator(gateway);
    const { code } = await createInvite(admin.client);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const wrong = await rawConnect(gateway, { auth: { bootstrapToken: `wrong-${attempt}` } });
      expect(wrong.response.error?.details).toEqual({ code: 'INVITE_INVALID' });
    }
    const locked = await rawConnect(gateway, { auth: { bootstrapToken: code } });
    expect(
      locked.response.error?.details,
      'a third invite code after two wrong ones',
    ).toMatchObject({ code: 'AUTH_RATE_LIMITED' });
    // No secret presented, nothing to guess: local tools keep connecting.
    const plain = await rawConnect(gateway, {});
    expect(plain.response.ok, 'a local connect without a code during the lockout').toBe(true);
  });

  it('passes shared auth in password mode too', async () => {
    const password = 'correct horse battery staple';
    const gateway = await gw.start({
      config: { gateway: { auth: { mode: 'password' }, trustedProxies: [PROXY] } },
      env: { SPECIAL_AGENT_GATEWAY_PASSWORD: password },
    });
    const admin = await connectDevice(gateway, { auth: { password } });
    gw.track(admin.client);
    const { code } = await createInvite(admin.client);
    const phone = await remoteConnect(gateway, { auth: { bootstrapToken: code } });
    gw.track(phone.client);
    expect(phone.error).toBeUndefined();
    expect(phone.hello?.auth?.deviceToken).toEqual(expect.any(String));
  });

  it('the signature covers the code: a connect signed for another code is DEVICE_SIGNATURE_INVALID', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const { code } = await createInvite(admin.client);
    const answer = await rawConnect(gateway, {
      ...REMOTE,
      auth: { bootstrapToken: 'signed-for-this-one' },
      mutate: (params) => {
        (params.auth as Record<string, unknown>).bootstrapToken = code;
      },
    });
    expect(answer.response.error?.details).toEqual({ code: 'DEVICE_SIGNATURE_INVALID' });
    expect(
      (await admin.client.request<{ invites: unknown[] }>('device.invite.list')).invites,
    ).toHaveLength(1);
  });

  it('a device asking for more than the invite gets what it grants now and a pending request for the rest', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const { code } = await createInvite(admin.client, { scopes: ['operator.read'] });
    const requested = nextEvent<{ requestId: string; reason: string }>(
      admin.client,
      'device.pair.requested',
    );
    const phone = await remoteConnect(gateway, {
      auth: { bootstrapToken: code },
      scopes: ['operator.read', 'operator.write'],
    });
    gw.track(phone.client);
    expect(phone.hello?.auth?.scopes).toEqual(['operator.read']);
    await expect(phone.client.request('chat.send', {})).rejects.toMatchObject({
      details: { code: 'MISSING_SCOPE', requiredScope: 'operator.write' },
    });
    const request = await requested;
    expect(request).toMatchObject({ reason: 'scope-upgrade', isRepair: true });
    const list = await admin.client.request<PairListPayload>('device.pair.list');
    expect(list.pending).toEqual([
      expect.objectContaining({
        deviceId: phone.identity.deviceId,
        scopes: ['operator.read', 'operator.write'],
        reason: 'scope-upgrade',
      }),
    ]);
  });
});

describe('an invite for less than a request already waiting', () => {
  it('turns that request into an upgrade (scope-upgrade, isRepair) of the device it paired', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const first = await remoteConnect(gateway, { scopes: ['operator.admin'] });
    expect(first.error?.details?.reason).toBe('not-paired');
    const { code } = await createInvite(admin.client, { scopes: ['operator.read'] });
    const phone = await remoteConnect(gateway, {
      identity: first.identity,
      auth: { bootstrapToken: code },
      scopes: ['operator.admin'],
    });
    gw.track(phone.client);
    expect(phone.hello?.auth?.scopes).toEqual(['operator.read']);
    const list = await admin.client.request<PairListPayload>('device.pair.list');
    expect(list.pending, 'the request left waiting').toEqual([
      expect.objectContaining({
        deviceId: first.identity.deviceId,
        reason: 'scope-upgrade',
        isRepair: true,
      }),
    ]);
  });
});

describe('device.invite.create and device.invite.list', () => {
  it('returns the documented payload; the list never holds the code or its hash', async () => {
    const gateway = await gw.start();
    const admin = await gw.operator(gateway);
    const created = await createInvite(admin.client, { label: '  Ada phone  ', ttlSeconds: 120 });
    expect(Object.keys(created).sort()).toEqual(
      ['code', 'expiresAtMs', 'inviteId', 'role', 'scopes', 'setupUrl'].sort(),
    );
    expect(created).toMatchObject({
      role: 'operator',
      scopes: ['operator.read', 'operator.write'],
    });
    expect(created.code).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const { invites } = await admin.client.request<{ invites: InviteInfo[] }>('device.invite.list');
    expect(invites).toEqual([
      {
        inviteId: created.inviteId,
        label: 'Ada phone',
        role: 'operator',
        scopes: ['operator.read', 'operator.write'],
        createdAtMs: expect.any(Number),
        expiresAtMs: created.expiresAtMs,
      },
    ]);
    const text = JSON.stringify(invites);
    expect(text).not.toContain(created.code);
    expect(text).not.toContain(createHash('sha256').update(created.code).digest('hex'));
  });

  it('refuses to grant what the creator does not hold (FORBIDDEN/MISSING_SCOPE)', async () => {
    const gateway = await gw.start();
    const pairer = await gw.operator(gateway, ['operator.pairing']);
    await expect(createInvite(pairer.client, { scopes: ['operator.admin'] })).rejects.toMatchObject(
      {
        code: 'FORBIDDEN',
        details: { code: 'MISSING_SCOPE', requiredScope: 'operator.admin' },
      },
    );
    // The default (read, write) is more than pairing too.
    await expect(createInvite(pairer.client)).rejects.toMatchObject({
      details: { code: 'MISSING_SCOPE', requiredScope: 'operator.read' },
    });
    // What it holds, plus an unknown scope (which grants nothing), is fine.
    await expect(
      createInvite(pairer.client, { scopes: ['operator.pairing', 'operator.approvals'] }),
    ).resolves.toMatchObject({ scopes: ['operator.pairing', 'operator.approvals'] });
    const writer = await gw.operator(gateway, ['operator.write', 'operator.pairing']);
    await expect(createInvite(writer.client, { scopes: ['operator.read'] })).resolves.toMatchObject(
      { scopes: ['operator.read'] },
    );
  });

  it.each([
    ['a ttl under 60 s', { ttlSeconds: 59 }, /ttlSeconds/],
    ['a ttl over 1 h', { ttlSeconds: 3601 }, /ttlSeconds/],
    ['no scopes', { scopes: [] }, /scopes/],
    ['a label with a control character', { label: 'a\u0007b' }, /label.*control characters/],
    ['an empty label', { label: '   ' }, /label.*empty/],
    ['an unknown field', { code: 'mine' }, /code|unrecognized/i],
  ])('refuses %s with INVALID_REQUEST', async (_name, params, message) => {
    const gateway = await gw.start();
    const admin = await gw.operator(gateway);
    await expect(createInvite(admin.client, params)).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(message),
    });
    expect(await admin.client.request('device.invite.list')).toEqual({ invites: [] });
  });
});

describe('ignore, unignore and rename', () => {
  /** A remote device asks to pair; returns its requestId. */
  async function remoteRequest(gateway: TestGateway, identity: DeviceIdentity): Promise<string> {
    const outcome = await remoteConnect(gateway, { identity });
    expect(outcome.error?.detailCode).toBe('PAIRING_REQUIRED');
    return outcome.error!.details!.requestId as string;
  }

  it('an ignored device is answered PAIRING_REQUIRED with no new request and no event, until unignored', async () => {
    const gateway = await gw.startProxied();
    const admin = await gw.operator(gateway);
    const phone = await newIdentity();
    const requestId = await remoteRequest(gateway, phone);
    const resolved = nextEvent<{ decision: string }>(admin.client, 'device.pair.resolved');
    expect(await admin.client.request('device.pair.ignore', { requestId })).toEqual({
      requestId,
      deviceId: phone.deviceId,
    });
    expect(await resolved).toMatchObject({
      requestId,
      deviceId: phone.deviceId,
      decision: 'ignored',
    });
    const listed = await admin.client.request<PairListPayload>('device.pair.list');
    expect(listed.pending).toEqual([]);
    expect(listed.ignored).toEqual([{ deviceId: phone.deviceId, ignoredAtMs: expect.any(Number) }]);

    const events = eventLog(admin.client);
    const ignoredTry = await remoteConnect(gateway, { identity: phone });
    expect(ignoredTry.error?.code).toBe('NOT_PAIRED');
    expect(ignoredTry.error?.details).toEqual({
      code: 'PAIRING_REQUIRED',
      requestId,
      reason: 'not-paired',
    });
    expect(ignoredTry.error?.closeCode).toBe(1008);
    // A control device's request: its event must be the first one the watcher sees.
    const other = await newIdentity();
    const control = nextEvent<{ deviceId: string }>(
      admin.client,
      'device.pair.requested',
      (request) => request.deviceId === other.deviceId,
    );
    await remoteRequest(gateway, other);
    await control;
    expect(events).toEqual(['device.pair.requested']);
    const after = await admin.client.request<PairListPayload>('device.pair.list');
    expect(after.pending.map((request) => request.deviceId)).toEqual([other.deviceId]);

    expect(await admin.client.request('device.unignore', { deviceId: phone.deviceId })).toEqual({
      deviceId: phone.deviceId,
    });
    const requestedAgain = nextEvent<{ deviceId: string }>(
      admin.client,
      'device.pair.requested',
      (request) => request.deviceId === phone.deviceId,
    );
    const newRequestId = await remoteRequest(gateway, phone);
    expect(newRequestId).not.toBe(requestId);
    expect((await requestedAgain).deviceId).toBe(phone.deviceId);
    await expect(
      admin.client.request('device.unignore', { deviceId: phone.deviceId }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('an operator approval and a silent local pairing are announced as device.paired too', async () => {
    const gateway = await gw.startProxied();
    const watcher = await gw.operator(gateway, ['operator.pairing']);
    const readerIdentity = await newIdentity();
    const local = nextEvent<Paired>(
      watcher.client,
      'device.paired',
      (event) => event.device.deviceId === readerIdentity.deviceId,
    );
    await connectDevice(gateway, { identity: readerIdentity, scopes: ['operator.read'] }).then(
      ({ client }) => gw.track(client),
    );
    expect(await local).toMatchObject({ approvedBy: 'local-auto' });

    const admin = await gw.operator(gateway);
    const remote = await newIdentity();
    const requestId = await remoteRequest(gateway, remote);
    const byOperator = nextEvent<Paired>(
      watcher.client,
      'device.paired',
      (event) => event.device.deviceId === remote.deviceId,
    );
    await admin.client.request('device.pair.approve', { requestId });
    expect(await byOperator).toMatchObject({
      approvedBy: 'operator',
      device: { approvedBy: 'operator' },
    });
  });

  it('renames a paired device (trimmed) and refuses bad names', async () => {
    const gateway = await gw.start();
    const admin = await gw.operator(gateway);
    const { identity } = await gw.operator(gateway, ['operator.read']);
    const { device } = await admin.client.request<{ device: PairedDevice }>('device.rename', {
      deviceId: identity.deviceId,
      displayName: '  Kitchen tablet ',
    });
    expect(device).toMatchObject({ deviceId: identity.deviceId, displayName: 'Kitchen tablet' });
    const list = await admin.client.request<PairListPayload>('device.pair.list');
    expect(list.paired.find((d) => d.deviceId === identity.deviceId)?.displayName).toBe(
      'Kitchen tablet',
    );
    for (const displayName of ['', '  ', 'tab\there', 'x'.repeat(65)]) {
      await expect(
        admin.client.request('device.rename', { deviceId: identity.deviceId, displayName }),
      ).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    }
    await expect(
      admin.client.request('device.rename', { deviceId: 'f'.repeat(64), displayName: 'x' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const error = await failure(
      gw
        .operator(gateway, ['operator.read'])
        .then(({ client }) =>
          client.request('device.rename', { deviceId: identity.deviceId, displayName: 'x' }),
        ),
    );
    expect(error.detailCode).toBe('MISSING_SCOPE');
  });
});
