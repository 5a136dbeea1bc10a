/**
 * Generative fuzzing (fast-check) of connect params and frames against one gateway: every
 * input gets a `res` whose error.code is one of PROTOCOL.md's, or a close with a code from
 * its table; afterwards the gateway still serves the pre-paired device and nothing is lost.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawSocket } from '../helpers/gateway.js';
import type { PrePaired } from '../helpers/nothing-lost.js';
import type { GuardedGateway } from './guarded-gateway.js';
import { CLOSE_CODES, ERROR_CODES, guardedGateways, signedParams } from './support.js';

const start = guardedGateways();
const RUNS = 150;
/** The WebSocket layer's own answer to invalid UTF-8 (see frames.test.ts). */
const ALLOWED_CLOSES: readonly number[] = [...CLOSE_CODES, 1007];

type Outcome = { kind: 'ok' } | { kind: 'error'; code: string } | { kind: 'closed'; code: number };

/** Waits for a `res` received after frame number `from` (to `id`, if known) or the close. */
async function outcomeOf(
  socket: RawSocket,
  from: number,
  id: string | undefined,
): Promise<Outcome> {
  const answer = socket.next(
    (f) =>
      socket.frames.indexOf(f) >= from &&
      f.type === 'res' &&
      (id === undefined || f.id === id || f.id === ''),
  );
  const result = await Promise.race([
    answer.then((f) =>
      f.ok
        ? { kind: 'ok' as const }
        : { kind: 'error' as const, code: (f.error as { code: string }).code },
    ),
    socket.closed.then((c) => ({ kind: 'closed' as const, code: c.code })),
  ]);
  return result;
}

function expectDefined(outcome: Outcome): void {
  if (outcome.kind === 'error') expect(ERROR_CODES).toContain(outcome.code);
  if (outcome.kind === 'closed') expect(ALLOWED_CLOSES).toContain(outcome.code);
}

const PARAM_PATHS: readonly (readonly string[])[] = [
  ['minProtocol'],
  ['maxProtocol'],
  ['client'],
  ['client', 'id'],
  ['client', 'mode'],
  ['client', 'platform'],
  ['role'],
  ['scopes'],
  ['auth'],
  ['auth', 'deviceToken'],
  ['auth', 'token'],
  ['device'],
  ['device', 'id'],
  ['device', 'publicKey'],
  ['device', 'signature'],
  ['device', 'signedAt'],
  ['device', 'nonce'],
  ['caps'],
  ['permissions'],
  ['locale'],
  ['__proto__'],
  ['constructor'],
  ['extra'],
];

/** A change to valid connect params: set (or delete) one path, maybe several times. */
const mutation = fc.array(
  fc.record({
    path: fc.constantFrom(...PARAM_PATHS),
    value: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
  }),
  { minLength: 1, maxLength: 3 },
);

function apply(
  params: Record<string, unknown>,
  changes: { path: readonly string[]; value: unknown }[],
): void {
  for (const { path, value } of changes) {
    let target = params;
    for (const key of path.slice(0, -1)) {
      const next = target[key];
      if (next === null || typeof next !== 'object') target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    const last = path.at(-1)!;
    if (value === undefined) delete target[last];
    else
      Object.defineProperty(target, last, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
}

async function connectParams(g: GuardedGateway, device: PrePaired, nonce: string) {
  return signedParams(nonce, {
    identity: device.identity,
    auth: { deviceToken: device.deviceToken },
    signedAtMs: g.clock.now(),
  });
}

describe('fuzzing', () => {
  it(`answers ${RUNS} mutated connect frames and raw first frames with defined errors or closes`, async () => {
    const g = await start();
    const firstFrame = fc.oneof(
      { arbitrary: mutation.map((changes) => ({ changes })), weight: 3 },
      {
        arbitrary: fc.jsonValue({ maxDepth: 4 }).map((json) => ({ raw: JSON.stringify(json) })),
        weight: 1,
      },
      { arbitrary: fc.string({ maxLength: 200 }).map((raw) => ({ raw })), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(firstFrame, async (input) => {
        const socket = g.guard.raw();
        const nonce = await socket.challengeNonce();
        let id: string | undefined;
        if ('changes' in input) {
          const params = await connectParams(g, g.guard.prePaired, nonce);
          apply(params, input.changes);
          id = 'c';
          socket.send(JSON.stringify({ type: 'req', id, method: 'connect', params }));
        } else {
          socket.send(input.raw);
        }
        const outcome = await outcomeOf(socket, 0, id);
        expectDefined(outcome);
        if (outcome.kind === 'error')
          expectDefined({ kind: 'closed', code: (await socket.closed).code });
        socket.ws.terminate();
      }),
      { numRuns: RUNS },
    );
    await g.guard.check();
  }, 60_000);

  it(`answers ${RUNS} random frames of a read-only session with defined errors or closes`, async () => {
    const g = await start({ extraDevices: [['operator.read']] });
    const reader = g.extraDevices[0]!;
    const methods = [
      'connect',
      'status',
      'agents.list',
      'config.get',
      'config.set',
      'device.pair.approve',
      'device.token.revoke',
      'chat.send',
      'gateway.auth.rotate',
      'models.providers.setKey',
    ];
    const frame = fc.oneof(
      fc.record({
        type: fc.constantFrom('req', 'req', 'req', 'res', 'event'),
        id: fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.integer()),
        method: fc.oneof(fc.constantFrom(...methods), fc.string({ maxLength: 20 })),
        params: fc.option(
          fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 })),
          { nil: undefined },
        ),
      }),
      fc.jsonValue({ maxDepth: 3 }),
    );
    let socket: RawSocket | undefined;
    await fc.assert(
      fc.asyncProperty(frame, async (input) => {
        if (socket === undefined) {
          socket = g.guard.raw();
          socket.send({
            type: 'req',
            id: 'hello',
            method: 'connect',
            params: await connectParams(g, reader, await socket.challengeNonce()),
          });
          expect((await socket.response('hello')).ok).toBe(true);
        }
        const id = (input as { id?: unknown } | null)?.id;
        const before = socket.frames.length;
        socket.send(JSON.stringify(input));
        const outcome = await outcomeOf(socket, before, typeof id === 'string' ? id : undefined);
        expectDefined(outcome);
        for (const f of socket.frames.slice(before))
          if (f.type === 'res' && !f.ok)
            expect(ERROR_CODES).toContain((f.error as { code: string }).code);
        // Past 10 forbidden calls the session is closed; carry on with a new one.
        if (outcome.kind === 'closed' || socket.ws.readyState !== socket.ws.OPEN)
          socket = undefined;
      }),
      { numRuns: RUNS },
    );
    socket?.ws.close();
    await g.guard.check();
  }, 60_000);
});
