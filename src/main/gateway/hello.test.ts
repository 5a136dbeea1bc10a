import { describe, expect, it } from 'vitest';
import type { PairedDevice } from '../../shared/protocol.js';
import { HelloFrameWriter, buildHello, type HelloInput } from './hello.js';
import { DEFAULT_LIMITS } from './limits.js';

const device: PairedDevice = {
  deviceId: 'device-1',
  publicKey: 'key',
  displayName: 'Laptop "work"',
  clientId: 'cli',
  roles: ['operator'],
  scopes: ['operator.read', 'operator.write'],
  createdAtMs: 1,
  approvedAtMs: 2,
  approvedBy: 'local-auto',
  tokens: [],
};

function input(overrides: Partial<HelloInput> = {}): HelloInput {
  return {
    connId: '6f1c2d3e-0000-4000-8000-000000000001',
    admission: { device, role: 'operator', scopes: device.scopes, authMethod: 'device-token' },
    version: '1.2.3',
    methods: ['connect', 'status', 'device.pair.list'],
    uptimeMs: 12_345,
    authMode: 'token',
    limits: DEFAULT_LIMITS,
    ...overrides,
  };
}

/** What the gateway sent before the frame was written from cached parts. */
const stringified = (id: string, hello: HelloInput) =>
  JSON.stringify({ type: 'res', id, ok: true, payload: buildHello(hello) });

describe('the hello-ok frame written from cached parts', () => {
  it('is byte for byte the JSON of the hello-ok response, with and without an issued token', () => {
    const writer = new HelloFrameWriter();
    const plain = input();
    expect(writer.write('req-1', plain)).toBe(stringified('req-1', plain));
    const issued = input({
      admission: {
        ...plain.admission,
        authMethod: 'shared',
        issuedToken: { token: 'tok\u2028"en', createdAtMs: 99 },
      },
      authMode: 'password',
    });
    expect(writer.write('id "\\ quoted', issued)).toBe(stringified('id "\\ quoted', issued));
  });

  it('lists a method registered after earlier handshakes', () => {
    const writer = new HelloFrameWriter();
    writer.write('a', input());
    const more = input({ methods: ['connect', 'status', 'device.pair.list', 'chat.send'] });
    const frame = JSON.parse(writer.write('b', more)) as {
      payload: { features: { methods: string[] } };
    };
    expect(frame.payload.features.methods).toContain('chat.send');
    expect(writer.write('b', more)).toBe(stringified('b', more));
  });
});
