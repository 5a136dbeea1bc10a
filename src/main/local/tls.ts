/**
 * The CLI's surface of src/main: reaching a `wss://` gateway with a pinned certificate.
 * Whether a bind serves TLS, the fingerprint of this home's own certificate (a loopback
 * URL pins it with no flag), and sockets that refuse any other certificate.
 */
export { isLoopback, normalizeIp } from '../auth/ip.js';
export { decideTls } from '../gateway/tls-decision.js';
export { fingerprintSha256, pemBlocks } from '../tls/certificate-info.js';
export { normalizeFingerprint } from '../tls/fingerprint.js';
export { GATEWAY_PEM, TLS_DIR } from '../tls/gateway-certificate.js';
export { pinnedTlsConnect, TlsPinMismatchError } from '../tls/pin-socket.js';
export { pinnedWebSocketOptions } from '../tls/pinned-websocket.js';
