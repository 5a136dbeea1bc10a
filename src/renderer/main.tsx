/**
 * The Control UI's composition root: takes a fragment token, builds the connection with
 * its browser dependencies, and renders. The gateway URL is always this page's own
 * origin; it never comes from the query string or the fragment.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { ClientInfo } from '../shared/protocol.js';
import { App } from './app.js';
import { ConnectionContext } from './hooks/connection-context.js';
import { Backoff } from './lib/backoff.js';
import { GatewayConnection } from './lib/connection.js';
import { loadDeviceIdentity } from './lib/device-key-store.js';
import { adoptFragmentToken, SessionSecrets } from './lib/session-secrets.js';

/** A short browser name for the device list, e.g. "Control UI (Chrome)". */
function browserName(userAgent: string): string {
  if (/Electron\//.test(userAgent)) return 'Desktop';
  if (/Edg\//.test(userAgent)) return 'Edge';
  if (/Firefox\//.test(userAgent)) return 'Firefox';
  if (/Chrome\/|Chromium\//.test(userAgent)) return 'Chrome';
  if (/Safari\//.test(userAgent)) return 'Safari';
  return 'Browser';
}

function main(): void {
  const secrets = new SessionSecrets({
    session: sessionStorage,
    local: localStorage,
    origin: location.origin,
  });
  adoptFragmentToken(location, history, secrets);
  const client: ClientInfo = {
    id: 'special-agent-control-ui',
    version: __APP_VERSION__,
    platform: navigator.platform,
    mode: 'ui',
    displayName: `Control UI (${browserName(navigator.userAgent)})`,
  };
  const connection = new GatewayConnection({
    openSocket: () =>
      new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`),
    identity: () =>
      loadDeviceIdentity(crypto.subtle, typeof indexedDB === 'undefined' ? undefined : indexedDB),
    secrets,
    client,
    scopes: ['operator.admin'],
    backoff: new Backoff(),
    now: () => Date.now(),
    timers: {
      set: (fn, ms) => setTimeout(fn, ms),
      clear: (handle) => clearTimeout(handle as number),
    },
  });
  connection.start();
  // A dashboard link opened in a tab that already shows the UI only changes the fragment.
  window.addEventListener('hashchange', () => {
    const before = secrets.token;
    const token = adoptFragmentToken(location, history, secrets);
    const connected = connection.getSnapshot().phase === 'connected';
    if (token && (token !== before || !connected)) connection.login({ token });
  });
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html lacks #root');
  createRoot(root).render(
    <StrictMode>
      <ConnectionContext value={connection}>
        <App />
      </ConnectionContext>
    </StrictMode>,
  );
}

main();
