/**
 * Privilege escalation through approval (PROTOCOL.md "Scopes": no one grants what they do
 * not hold). Every granting method — today `device.pair.approve`, as asked and narrowed
 * with `scopes` — is called through a real gateway by callers holding each scope set, for
 * remote requests asking each known scope: the allowed approvals pair the device with
 * exactly the granted scopes; the refused ones answer FORBIDDEN/MISSING_SCOPE naming the
 * first scope the caller lacks and leave the request pending, nothing paired.
 *
 * The matrix (48 cases) shares one plain gateway per caller set and checks the pairing
 * list itself after each case; the attack itself runs in a guarded gateway (README.md).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import type { PairedDevice } from '../../src/shared/protocol.js';
import { failure, PROXY, remoteConnect } from '../conformance/support.js';
import {
  connectDevice,
  newIdentity,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import { guardedGateways } from './support.js';

const READ = 'operator.read';
const WRITE = 'operator.write';
const PAIRING = 'operator.pairing';
const ADMIN = 'operator.admin';
/** OpenClaw's scope: unknown here, recorded, grants nothing. */
const UNKNOWN = 'operator.approvals';

/**
 * Each caller's scopes and, written out by hand from PROTOCOL.md, the known scopes it may
 * grant; `null` when it lacks `operator.pairing`, which `device.pair.approve` itself needs.
 */
const CALLERS: readonly { name: string; scopes: string[]; mayGrant: string[] | null }[] = [
  { name: 'read', scopes: [READ], mayGrant: null },
  { name: 'write', scopes: [WRITE], mayGrant: null },
  { name: 'pairing', scopes: [PAIRING], mayGrant: [PAIRING] },
  { name: 'pairing+read', scopes: [PAIRING, READ], mayGrant: [PAIRING, READ] },
  { name: 'pairing+write', scopes: [PAIRING, WRITE], mayGrant: [PAIRING, WRITE, READ] },
  { name: 'admin', scopes: [ADMIN], mayGrant: [ADMIN, PAIRING, WRITE, READ] },
];
const GRANTS = [READ, WRITE, PAIRING, ADMIN];
/**
 * `as asked`: the request asks for the scope and is approved as it is. `narrowed`: it asks
 * for admin plus an unknown scope and is approved with `scopes: [scope]`, so the check
 * must apply to the narrowed set, not to what was asked.
 */
const MODES = [
  { name: 'as asked for', asks: (scope: string) => [scope], narrow: false },
  { name: 'narrowed to', asks: () => [ADMIN, UNKNOWN], narrow: true },
] as const;

/** The four requests of one caller, each titled with what the rule says must happen. */
function casesFor(mayGrant: string[] | null) {
  return GRANTS.map((scope) => {
    const requiredScope = mayGrant === null ? PAIRING : mayGrant.includes(scope) ? null : scope;
    const outcome =
      requiredScope === null
        ? 'pairs the device with exactly that scope'
        : `is refused with MISSING_SCOPE ${requiredScope}, the request left pending`;
    return { scope, requiredScope, outcome };
  });
}

const opened: GatewayClient[] = [];
afterEach(() => {
  for (const client of opened.splice(0)) client.close();
});

let nextIp = 1;
/** A remote device (through the trusted proxy, its own address) asks for `scopes`. */
async function remoteRequest(gateway: TestGateway, scopes: string[]) {
  const attempt = await remoteConnect(gateway, { scopes, ip: `203.0.113.${nextIp++}` });
  opened.push(attempt.client);
  expect(attempt.error?.detailCode, 'the remote device must get a pending request').toBe(
    'PAIRING_REQUIRED',
  );
  return { requestId: attempt.error?.details?.requestId as string, identity: attempt.identity };
}

/** A loopback device (silently paired) holding exactly `scopes`. */
async function caller(gateway: TestGateway, scopes: string[]): Promise<GatewayClient> {
  const { client, hello } = await connectDevice(gateway, { scopes });
  opened.push(client);
  expect(hello.auth?.scopes).toEqual(scopes);
  return client;
}

/** One plain gateway behind the trusted proxy for the whole describe block. */
function sharedGateway(): () => TestGateway {
  let gateway: TestGateway | undefined;
  beforeAll(async () => {
    gateway = await startTestGateway({ config: { gateway: { trustedProxies: [PROXY] } } });
  });
  afterAll(() => gateway?.stop());
  return () => gateway!;
}

type Mode = (typeof MODES)[number];
type Case = ReturnType<typeof casesFor>[number];

/** A caller holding `callerScopes` approves a fresh request; asserts what `c` says. */
async function checkApproval(
  gateway: TestGateway,
  callerScopes: string[],
  mode: Mode,
  { scope, requiredScope }: Case,
): Promise<void> {
  const { requestId, identity } = await remoteRequest(gateway, mode.asks(scope));
  const approver = await caller(gateway, callerScopes);
  const params = mode.narrow ? { requestId, scopes: [scope] } : { requestId };
  const answer = approver.request<{ device: PairedDevice }>('device.pair.approve', params);
  const record = () =>
    gateway.app.pairing.list().paired.find((d) => d.deviceId === identity.deviceId);
  const stillPending = () =>
    gateway.app.pairing.list().pending.some((r) => r.requestId === requestId);

  if (requiredScope === null) {
    expect((await answer).device.scopes, 'granted scopes in the answer').toEqual([scope]);
    expect(record()?.scopes, 'scopes of the paired record').toEqual([scope]);
    expect(stillPending(), 'request resolved').toBe(false);
    return;
  }
  const refusal = await failure(answer);
  expect(refusal).toMatchObject({
    code: 'FORBIDDEN',
    details: { code: 'MISSING_SCOPE', requiredScope },
  });
  if (callerScopes.includes(PAIRING))
    expect(refusal.message).toBe(
      `missing scope: approving this request grants ${scope}, which this device does not hold (approve it from an admin device, or approve only scopes this device holds)`,
    );
  expect(record(), 'nothing paired').toBeUndefined();
  expect(stillPending(), 'request still pending').toBe(true);
}

for (const { name, scopes, mayGrant } of CALLERS) {
  describe(`a caller holding ${name}`, () => {
    const gateway = sharedGateway();
    for (const mode of MODES) {
      for (const c of casesFor(mayGrant)) {
        it(`approving a request ${mode.name} ${c.scope} ${c.outcome}`, () =>
          checkApproval(gateway(), scopes, mode, c));
      }
    }
  });
}

describe('the escalation through a second key pair', () => {
  const start = guardedGateways();

  it('refuses a pairing-only device approving the admin request of a second key pair it controls; that key still cannot connect as admin', async () => {
    const g = await start({
      config: { gateway: { trustedProxies: [PROXY] } },
      extraDevices: [[PAIRING]],
    });
    const pairer = g.extraDevices[0]!;
    const approver = g.guard.client({
      identity: pairer.identity,
      auth: { deviceToken: pairer.deviceToken },
      scopes: [PAIRING],
    });
    await approver.connect();
    const secondKey = await newIdentity();
    const connectAsAdmin = () =>
      failure(
        g.guard
          .client({
            identity: secondKey,
            auth: g.sharedAuth,
            scopes: [ADMIN],
            localAddress: PROXY,
            headers: { 'x-forwarded-for': '203.0.113.66' },
          })
          .connect(),
      );
    const asked = await connectAsAdmin();
    expect(asked.details).toMatchObject({ code: 'PAIRING_REQUIRED', reason: 'not-paired' });
    const requestId = asked.details?.requestId as string;

    const refusal = await failure(approver.request('device.pair.approve', { requestId }));
    expect(refusal).toMatchObject({
      code: 'FORBIDDEN',
      details: { code: 'MISSING_SCOPE', requiredScope: ADMIN },
    });
    // The same request is still the one waiting: the second key is not paired.
    const again = await connectAsAdmin();
    expect(again.details).toMatchObject({ code: 'PAIRING_REQUIRED', requestId });
    approver.close();
    await approver.closed();
    // Paired devices and token hashes unchanged; the pending request is the one change.
    await g.guard.check({ allowChanged: ['pairing-store'] });
  });
});

describe('approving with a name and narrowed scopes', () => {
  const shared = sharedGateway();

  it('pairs the device under that name with only those scopes, which it then connects with', async () => {
    const gateway = shared();
    const { requestId, identity } = await remoteRequest(gateway, [WRITE, UNKNOWN]);
    const admin = await caller(gateway, [ADMIN]);
    const { device } = await admin.request<{ device: PairedDevice }>('device.pair.approve', {
      requestId,
      displayName: '  Ada’s phone  ',
      scopes: [READ],
    });
    expect(device).toMatchObject({ displayName: 'Ada’s phone', scopes: [READ] });
    expect(
      gateway.app.pairing.list().paired.find((d) => d.deviceId === identity.deviceId),
    ).toMatchObject({ displayName: 'Ada’s phone', scopes: [READ], approvedBy: 'operator' });
    const reader = await remoteConnect(gateway, { identity, scopes: [READ], ip: '203.0.113.200' });
    opened.push(reader.client);
    expect(reader.hello?.auth?.scopes).toEqual([READ]);
    const writer = await remoteConnect(gateway, { identity, scopes: [WRITE], ip: '203.0.113.200' });
    opened.push(writer.client);
    expect(writer.error?.details).toMatchObject({
      code: 'PAIRING_REQUIRED',
      reason: 'scope-upgrade',
    });
  });

  it('lets a pairing-only device approve unknown scopes, which grant nothing', async () => {
    const gateway = shared();
    const { requestId } = await remoteRequest(gateway, [PAIRING, UNKNOWN]);
    const pairer = await caller(gateway, [PAIRING]);
    const { device } = await pairer.request<{ device: PairedDevice }>('device.pair.approve', {
      requestId,
    });
    expect(device.scopes).toEqual([PAIRING, UNKNOWN]);
  });

  it.each([
    [
      'a scope the request did not ask for',
      [READ],
      [WRITE],
      /scope operator\.write is not in pairing request .* \(it asks for operator\.read\); approval scopes may only narrow/,
    ],
    [
      'an unknown scope the request did not ask for',
      [READ],
      [UNKNOWN],
      /scope operator\.approvals is not in pairing request/,
    ],
    ['no scopes at all', [READ], [], /at least one scope \(to refuse the request, reject it\)/],
  ])(
    'refuses %s with INVALID_REQUEST and keeps the request pending',
    async (_, asks, narrowTo, message) => {
      const gateway = shared();
      const { requestId } = await remoteRequest(gateway, asks);
      const admin = await caller(gateway, [ADMIN]);
      const refusal = await failure(
        admin.request('device.pair.approve', { requestId, scopes: narrowTo }),
      );
      expect(refusal.code).toBe('INVALID_REQUEST');
      expect(refusal.message).toMatch(message);
      expect(gateway.app.pairing.list().pending.map((r) => r.requestId)).toContain(requestId);
    },
  );

  it.each([
    ['empty after trimming', '   ', /at least 1 character/],
    ['longer than 64 characters', 'x'.repeat(65), /at most 64 characters/],
    ['holding a control character', 'phone\u0007', /printable characters only/],
    ['holding a bidi override', 'phone\u202egnp.exe', /printable characters only/],
  ])('refuses a name %s and keeps the request pending', async (_, displayName, message) => {
    const gateway = shared();
    const { requestId } = await remoteRequest(gateway, [READ]);
    const admin = await caller(gateway, [ADMIN]);
    const refusal = await failure(admin.request('device.pair.approve', { requestId, displayName }));
    expect(refusal.code).toBe('INVALID_REQUEST');
    expect(refusal.message).toMatch(/params\.displayName/);
    expect(refusal.message).toMatch(message);
    expect(gateway.app.pairing.list().pending.map((r) => r.requestId)).toContain(requestId);
  });
});
