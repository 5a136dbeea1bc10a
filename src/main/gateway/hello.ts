import type { AuthMode } from '../../shared/config-schema.js';
import type { HelloOk } from '../../shared/protocol.js';
import { GATEWAY_EVENTS, PROTOCOL_VERSION } from '../../shared/protocol.js';
import type { Admission } from './peer.js';
import type { GatewayLimits } from './limits.js';

/** The `hello-ok` payload of PROTOCOL.md handshake step 6. */
export function buildHello(input: {
  connId: string;
  admission: Admission;
  version: string;
  methods: string[];
  uptimeMs: number;
  authMode: AuthMode;
  limits: GatewayLimits;
}): HelloOk {
  const { admission, limits } = input;
  return {
    type: 'hello-ok',
    protocol: PROTOCOL_VERSION,
    server: { version: input.version, connId: input.connId },
    features: { methods: input.methods, events: [...GATEWAY_EVENTS] },
    snapshot: {
      presence: [],
      health: {},
      stateVersion: { presence: 0, health: 0 },
      uptimeMs: input.uptimeMs,
      authMode: input.authMode,
    },
    // Present only when a device token was issued now (PROTOCOL.md step 6).
    ...(admission.issuedToken
      ? {
          auth: {
            deviceToken: admission.issuedToken.token,
            role: admission.role,
            scopes: admission.device.scopes,
            issuedAtMs: admission.issuedToken.createdAtMs,
          },
        }
      : {}),
    policy: {
      maxPayload: limits.maxPayload,
      maxBufferedBytes: limits.maxBufferedBytes,
      tickIntervalMs: limits.tickIntervalMs,
    },
  };
}

/** What {@link HelloFrameWriter} needs per handshake, besides the request id. */
export type HelloInput = Parameters<typeof buildHello>[0];

const EVENTS_JSON = JSON.stringify(GATEWAY_EVENTS);

/**
 * Writes the whole `hello-ok` response frame as JSON text, byte for byte what
 * `JSON.stringify` gives for `{type: 'res', id, ok: true, payload: buildHello(input)}`
 * (hello.test.ts holds it to that). The method and event lists are most of its ~1.1 KB and
 * the same for every connection, so they are serialised once per method list rather than
 * once per handshake (bench/README.md, handshake limit).
 */
export class HelloFrameWriter {
  #methods: readonly string[] | undefined;
  #featuresJson = '';

  /** The frame's text. `input.methods` is compared by content with the cached list. */
  write(id: string, input: HelloInput): string {
    const { admission, limits } = input;
    const auth = admission.issuedToken
      ? `,"auth":${JSON.stringify({
          deviceToken: admission.issuedToken.token,
          role: admission.role,
          scopes: admission.device.scopes,
          issuedAtMs: admission.issuedToken.createdAtMs,
        })}`
      : '';
    return (
      `{"type":"res","id":${JSON.stringify(id)},"ok":true,"payload":{"type":"hello-ok",` +
      `"protocol":${num(PROTOCOL_VERSION)},` +
      `"server":{"version":${JSON.stringify(input.version)},"connId":${JSON.stringify(input.connId)}},` +
      `"features":${this.#features(input.methods)},` +
      `"snapshot":{"presence":[],"health":{},"stateVersion":{"presence":0,"health":0},` +
      `"uptimeMs":${num(input.uptimeMs)},"authMode":${JSON.stringify(input.authMode)}}${auth},` +
      `"policy":{"maxPayload":${num(limits.maxPayload)},"maxBufferedBytes":${num(limits.maxBufferedBytes)},` +
      `"tickIntervalMs":${num(limits.tickIntervalMs)}}}}`
    );
  }

  #features(methods: readonly string[]): string {
    if (!sameList(this.#methods, methods)) {
      this.#methods = [...methods];
      this.#featuresJson = `{"methods":${JSON.stringify(methods)},"events":${EVENTS_JSON}}`;
    }
    return this.#featuresJson;
  }
}

/** A number as JSON writes it (`null` for NaN and ±Infinity, as JSON.stringify does). */
function num(value: number): string {
  return JSON.stringify(value);
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}
