/**
 * The Control UI's composition root: checks that this page may hold a device key at all,
 * takes a fragment invite or token, builds the connection with its browser dependencies, and
 * renders. The gateway URL is always this page's own origin; it never comes from the
 * query string or the fragment.
 */
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import type { ClientInfo } from '../shared/protocol.js';
import { App } from './app.js';
import { ConnectionContext } from './hooks/connection-context.js';
import { Backoff } from './lib/backoff.js';
import { GatewayConnection } from './lib/connection.js';
import { loadDeviceIdentity } from './lib/device-key-store.js';
import type { SecureContextProblem } from './lib/secure-context.js';
import { secureContextProblem } from './lib/secure-context.js';
import {
  adoptFragmentHandover,
  SessionSecrets,
  takeHandoverFromHash,
} from './lib/session-secrets.js';
import { browserLabel } from './lib/user-agent.js';

// Rarely needed, so not part of every startup.
const InsecureContextPage = lazy(() =>
  import('./pages/insecure-context-page.js').then((module) => ({
    default: module.InsecureContextPage,
  })),
);

function rootElement(): HTMLElement {
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html lacks #root');
  return root;
}

/**
 * No device key is possible here: say why and stop, before any WebCrypto, IndexedDB or
 * socket. An invite or token in the fragment leaves the address bar but is not kept here.
 */
function explainInsecureContext(problem: SecureContextProblem): void {
  const { hash } = takeHandoverFromHash(location.hash);
  if (hash !== location.hash)
    history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  createRoot(rootElement()).render(
    <StrictMode>
      <Suspense fallback={null}>
        <InsecureContextPage problem={problem} location={location} />
      </Suspense>
    </StrictMode>,
  );
}

function main(): void {
  const problem = secureContextProblem(window);
  if (problem) return explainInsecureContext(problem);
  const secrets = new SessionSecrets({
    session: sessionStorage,
    local: localStorage,
    origin: location.origin,
  });
  adoptFragmentHandover(location, history, secrets);
  const client: ClientInfo = {
    id: 'special-agent-control-ui',
    version: __APP_VERSION__,
    platform: navigator.platform,
    mode: 'ui',
    displayName: browserLabel(navigator),
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
    const { token, invite } = adoptFragmentHandover(location, history, secrets);
    // An unused invite left live would be an admin link lying around: spend it now.
    if (invite) return connection.login({ invite });
    const connected = connection.getSnapshot().phase === 'connected';
    if (token && (token !== before || !connected)) connection.login({ token });
  });
  createRoot(rootElement()).render(
    <StrictMode>
      <ConnectionContext value={connection}>
        <App />
      </ConnectionContext>
    </StrictMode>,
  );
}

main();
