/**
 * The Control UI's composition root: applies the theme before anything renders, checks
 * that this page may hold a device key at all, takes a fragment invite or token, builds
 * the connection and the browser services with their dependencies, and renders. The
 * gateway URL is always this page's own origin; it never comes from the query string or
 * the fragment.
 */
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import type { ClientInfo } from '../shared/protocol.js';
import { App } from './app.js';
import type { BrowserServices } from './hooks/browser-services.js';
import { BrowserServicesContext } from './hooks/browser-services.js';
import { ConnectionContext } from './hooks/connection-context.js';
import { Announcer } from './lib/announcer.js';
import { Backoff } from './lib/backoff.js';
import { UiGatewayConnection } from './lib/connection.js';
import { loadDeviceIdentity } from './lib/device-key-store.js';
import { PairingNotifier } from './lib/pairing-notifier.js';
import type { PreferenceStore } from './lib/preference-store.js';
import { preferenceStore } from './lib/preference-store.js';
import { parseRoute, routeHref } from './lib/route.js';
import type { SecureContextProblem } from './lib/secure-context.js';
import { secureContextProblem } from './lib/secure-context.js';
import {
  adoptFragmentHandover,
  SessionSecrets,
  takeHandoverFromHash,
} from './lib/session-secrets.js';
import { DARK_QUERY, ThemeController } from './lib/theme.js';
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

/** localStorage, or nothing where reading it throws (storage disabled by a policy). */
function localPreferences(): PreferenceStore {
  try {
    return preferenceStore(window.localStorage);
  } catch {
    return preferenceStore(undefined);
  }
}

/** The theme (first: the CSP allows no inline script to do it earlier), notifications, announcer. */
function browserServices(store: PreferenceStore): BrowserServices {
  // Electron names itself only in the user agent string (lib/user-agent.ts).
  const desktopApp = /\bElectron\//.test(navigator.userAgent);
  const theme = new ThemeController({
    store,
    systemDark: window.matchMedia(DARK_QUERY),
    apply: (resolved) => {
      document.documentElement.dataset.theme = resolved;
    },
  });
  const notifier = new PairingNotifier({
    // The desktop app's tray notifies natively: a second, web notification would repeat it.
    api: 'Notification' in window && !desktopApp ? window.Notification : undefined,
    store,
    open: (request) => {
      window.focus();
      location.hash = routeHref('devices', { request });
    },
    watching: () =>
      document.visibilityState === 'visible' &&
      document.hasFocus() &&
      parseRoute(location.hash).page === 'devices',
  });
  // The person may allow or block notifications in the browser's site settings meanwhile.
  window.addEventListener('focus', () => notifier.refresh());
  navigator.permissions?.query({ name: 'notifications' }).then(
    (status) => status.addEventListener('change', () => notifier.refresh()),
    () => undefined,
  );
  return { theme, notifier, announcer: new Announcer(), desktopApp };
}

function main(): void {
  const services = browserServices(localPreferences());
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
  const connection = new UiGatewayConnection({
    openSocket: () =>
      new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`),
    identity: () =>
      loadDeviceIdentity(crypto.subtle, typeof indexedDB === 'undefined' ? undefined : indexedDB),
    secrets,
    client,
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
      <BrowserServicesContext value={services}>
        <ConnectionContext value={connection}>
          <App />
        </ConnectionContext>
      </BrowserServicesContext>
    </StrictMode>,
  );
}

main();
